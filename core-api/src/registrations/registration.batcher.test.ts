import { newId } from '@platform/kit';
import {
  createKysely,
  createPgliteDatabase,
  migrateToLatest,
  type SqlDatabase,
} from '@platform/kit/sql';
import { describe, expect, it } from 'vitest';
import { migrations } from '../db/migrations/index.js';
import type { Database } from '../db/schema.js';
import { RegistrationBatcher } from './registration.batcher.js';

/** Counts calls of the registration function that reach the database. */
function counting(db: SqlDatabase) {
  let calls = 0;
  const count = <T extends (...args: never[]) => Promise<unknown>>(f: T) =>
    ((text: string, params?: unknown[]) => {
      if (text.includes('register_for_event')) calls++;
      return (f as unknown as (t: string, p?: unknown[]) => Promise<unknown>)(text, params);
    }) as unknown as T;
  const wrapped: SqlDatabase = {
    ...db,
    query: count(db.query.bind(db)),
    acquire: async () => {
      const c = await db.acquire();
      return { query: count(c.query.bind(c)), release: () => c.release() };
    },
  };
  return { db: wrapped, calls: () => calls };
}

describe('RegistrationBatcher', () => {
  it('sends a lone request at once and groups those that arrive while a call is in flight, in arrival order', async () => {
    const raw = await createPgliteDatabase();
    await migrateToLatest(raw, migrations);
    const { db: sqlDb, calls } = counting(raw);
    const db = createKysely<Database>(sqlDb);
    const users = Array.from({ length: 31 }, (_, i) => ({
      id: newId(),
      email: `b${i}@x.io`,
      name: 'B',
      password_hash: 'x',
    }));
    await db.insertInto('users').values(users).execute();
    const eventId = newId();
    await db
      .insertInto('events')
      .values({
        id: eventId,
        organizer_id: users[0]!.id,
        title: 'Batch',
        category: 'music',
        starts_at: new Date(Date.now() + 86_400_000),
        ends_at: new Date(Date.now() + 90_000_000),
        venue_name: 'V',
        city: 'Lyon',
        lat: 1,
        lon: 1,
        capacity: 5,
        status: 'published',
        published_at: new Date(),
      } as never)
      .execute();
    const batcher = new RegistrationBatcher({ db, now: () => new Date() });

    const lone = await batcher.register(eventId, { id: users[1]!.id, role: 'user' });
    expect(lone.o_outcome).toBe('confirmed');
    expect(calls()).toBe(1);

    const rows = await Promise.all(
      users.slice(2).map((u) => batcher.register(eventId, { id: u.id, role: 'user' })),
    );
    // 29 requests: the first goes alone, the other 28 wait for it and go together.
    expect(calls()).toBe(3);
    expect(rows.map((r) => r.o_outcome)).toEqual([
      ...Array(4).fill('confirmed'),
      ...Array(25).fill('waitlisted'),
    ]);
    expect(rows.slice(4).map((r) => r.o_position)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );

    // The same person twice in one batch: registered once, then told it exists.
    const [a, b] = await Promise.all(
      [0, 1].map(() => batcher.register(eventId, { id: users[1]!.id, role: 'user' })),
    );
    expect([a!.o_outcome, b!.o_outcome]).toEqual(['existing', 'existing']);
    await raw.close();
  });
});
