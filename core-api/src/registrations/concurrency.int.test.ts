import { randomBytes } from 'node:crypto';
import { newId } from '@platform/kit';
import { createKysely } from '@platform/kit/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokens } from '../auth/tokens.js';
import type { Database } from '../db/schema.js';
import { futureEvent } from '../testing/client.js';
import { freshDatabase, type TestApi } from '../testing/harness.js';
import { startApiProcess, type ApiProcess } from '../testing/processes.js';
import { assertRegistrationInvariants } from './registrations.http-spec.js';

/**
 * The ticket drop, on the real PostgreSQL with two API processes: the database alone decides who
 * gets a seat, so no event is ever overbooked and the waitlist stays contiguous, whichever
 * process a request lands on.
 */
const PEOPLE = 500;
const CAPACITY = 50;

describe('registrations under contention: two API processes on PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let apis: ApiProcess[];
  let db: TestApi['db'];
  let tokens: string[];
  let organizerToken: string;
  const jwtSecret = randomBytes(32).toString('hex');

  beforeAll(async () => {
    database = await freshDatabase('postgres');
    db = createKysely<Database>(database.sql);
    const signer = new AccessTokens(jwtSecret);
    // People are inserted directly: password hashing is not what this test is about.
    const users = Array.from({ length: PEOPLE + 1 }, (_, i) => ({
      id: newId(),
      email: `crowd-${i}@example.com`,
      name: `Person ${i}`,
      password_hash: 'not-used',
    }));
    await db.insertInto('users').values(users).execute();
    organizerToken = await signer.sign({ id: users[0]!.id, role: 'user' });
    tokens = await Promise.all(users.slice(1).map((u) => signer.sign({ id: u.id, role: 'user' })));
    const env = {
      DATABASE_URL: database.url!,
      JWT_SECRET: jwtSecret,
      RATE_LIMIT: 'off',
      DATABASE_POOL_SIZE: '20',
    };
    apis = await Promise.all([startApiProcess(env), startApiProcess(env)]);
  });

  afterAll(async () => {
    await Promise.all((apis ?? []).map((a) => a.stop()));
    await database?.drop();
  });

  const call = (i: number, method: string, path: string, token: string, init: RequestInit = {}) =>
    fetch(apis[i % apis.length]!.base + path, {
      ...init,
      method,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
    });

  async function publishedEvent(): Promise<string> {
    const created = await call(0, 'POST', '/v1/events', organizerToken, {
      body: JSON.stringify(futureEvent({ capacity: CAPACITY })),
      headers: { 'content-type': 'application/json' },
    });
    const { id } = (await created.json()) as { id: string };
    expect((await call(1, 'POST', `/v1/events/${id}/publish`, organizerToken)).status).toBe(200);
    return id;
  }

  async function waitlistOrder(eventId: string): Promise<string[]> {
    const rows = await db
      .selectFrom('registrations')
      .select('user_id')
      .where('event_id', '=', eventId)
      .where('status', '=', 'waitlisted')
      .orderBy('waitlist_seq')
      .execute();
    return rows.map((r) => r.user_id);
  }

  it(`${PEOPLE} people at once for ${CAPACITY} seats: exactly ${CAPACITY} confirmed, the rest waitlisted 1..${PEOPLE - CAPACITY}; cancellations promote the head of the queue in order`, async () => {
    const eventId = await publishedEvent();
    const replies = await Promise.all(
      tokens.map(async (token, i) => {
        const res = await call(i, 'POST', `/v1/events/${eventId}/registrations`, token);
        return {
          status: res.status,
          body: (await res.json()) as { status: string; position: number | null; userId: string },
        };
      }),
    );
    expect(replies.filter((r) => r.status !== 201)).toEqual([]);
    const confirmed = replies.filter((r) => r.body.status === 'confirmed');
    expect(confirmed).toHaveLength(CAPACITY);
    const positions = replies
      .filter((r) => r.body.status === 'waitlisted')
      .map((r) => r.body.position!);
    expect(positions.sort((a, b) => a - b)).toEqual(
      Array.from({ length: PEOPLE - CAPACITY }, (_, i) => i + 1),
    );
    await assertRegistrationInvariants({ db } as TestApi, eventId);

    const queueBefore = await waitlistOrder(eventId);
    const leaving = confirmed.slice(0, 10).map((r) => r.body.userId);
    const tokenOf = new Map(replies.map((r, i) => [r.body.userId, tokens[i]!]));
    const cancels = await Promise.all(
      leaving.map((userId, i) =>
        call(i, 'DELETE', `/v1/events/${eventId}/registrations/me`, tokenOf.get(userId)!),
      ),
    );
    expect(cancels.map((r) => r.status)).toEqual(Array(10).fill(200));
    const promoted = await db
      .selectFrom('registrations')
      .select('user_id')
      .where('event_id', '=', eventId)
      .where('status', '=', 'confirmed')
      .where('user_id', 'in', queueBefore.slice(0, 10))
      .execute();
    expect(promoted).toHaveLength(10);
    expect(await waitlistOrder(eventId)).toEqual(queueBefore.slice(10));
    const r = await assertRegistrationInvariants({ db } as TestApi, eventId);
    expect(r).toMatchObject({ confirmed: CAPACITY, waitlisted: PEOPLE - CAPACITY - 10 });
  });

  it('answers 503 with Retry-After, within the 3 s lock bound, while the event row is held elsewhere', async () => {
    const eventId = await publishedEvent();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const holder = database.sql.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM events WHERE id = $1 FOR UPDATE', [eventId]);
      await held;
    });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const res = await call(0, 'POST', `/v1/events/${eventId}/registrations`, tokens[0]!);
    const elapsed = Date.now() - started;
    release();
    await holder;
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as { code: string }).code).toBe('capacity-lock-timeout');
    expect(elapsed).toBeGreaterThanOrEqual(2_900);
    expect(elapsed).toBeLessThan(6_000);
    // Once the lock is free the same person gets through.
    expect((await call(1, 'POST', `/v1/events/${eventId}/registrations`, tokens[0]!)).status).toBe(
      201,
    );
  });

  it('with clients that disconnect mid-request and retry with their Idempotency-Key: one registration each, no overbooking', async () => {
    const eventId = await publishedEvent();
    let aborted = 0;
    const outcomes = await Promise.all(
      tokens.map(async (token, i) => {
        const key = `drop-${i}`;
        for (let attempt = 0; ; attempt++) {
          const controller = new AbortController();
          // Every third person's first two attempts hang up after a few milliseconds.
          if (i % 3 === 0 && attempt < 2)
            setTimeout(() => controller.abort(), Math.floor(Math.random() * 15));
          try {
            const res = await call(
              i + attempt,
              'POST',
              `/v1/events/${eventId}/registrations`,
              token,
              {
                signal: controller.signal,
                headers: { 'idempotency-key': key },
              },
            );
            const text = await res.text();
            // 409 means our first attempt is still running on the server: retry shortly.
            if (res.status === 409) {
              await new Promise((r) => setTimeout(r, 20));
              continue;
            }
            return { status: res.status, body: JSON.parse(text) as { status: string; id: string } };
          } catch (error) {
            if ((error as Error).name !== 'AbortError') throw error;
            aborted++;
          }
        }
      }),
    );
    expect(aborted).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.status !== 201 && o.status !== 200)).toEqual([]);
    const r = await assertRegistrationInvariants({ db } as TestApi, eventId);
    expect(r.confirmed + r.waitlisted).toBe(PEOPLE);
    expect(r.confirmed).toBe(CAPACITY);
    // What each client was finally told is what the database holds.
    const rows = await db
      .selectFrom('registrations')
      .select(['id', 'status'])
      .where('event_id', '=', eventId)
      .execute();
    const byId = new Map(rows.map((row) => [row.id, row.status]));
    for (const o of outcomes) expect(byId.get(o.body.id)).toBe(o.body.status);
  });
});
