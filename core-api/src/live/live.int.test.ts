import { randomBytes } from 'node:crypto';
import { topics } from '@platform/contracts';
import { createLogger, localDefaults } from '@platform/kit';
import { createKafkaLog } from '@platform/kit/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { futureEvent, TestClient, uniqueEmail } from '../testing/client.js';
import { freshDatabase } from '../testing/harness.js';
import { startApiProcess, type ApiProcess } from '../testing/processes.js';

/**
 * Two production core-api processes on the real PostgreSQL, NATS and Kafka: a registration taken
 * by one reaches the SSE clients of the other through the outbox relay and JetStream, and
 * interactions posted to either land on Kafka.
 */
describe('backbone through two core-api processes (PostgreSQL, NATS, Kafka)', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let apis: ApiProcess[] = [];
  beforeAll(async () => {
    database = await freshDatabase('postgres');
    const env = {
      DATABASE_URL: database.url!,
      JWT_SECRET: randomBytes(32).toString('hex'),
      RATE_LIMIT: 'off',
    };
    apis = await Promise.all([startApiProcess(env), startApiProcess(env)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(apis.map((a) => a.stop()));
    await database?.drop();
  });

  it('streams seats changed on one instance to a watcher on the other', async () => {
    const organizer = new TestClient(apis[0]!.base);
    await organizer.signUp(uniqueEmail('organizer'));
    const event = (await organizer.post('/v1/events', futureEvent({ capacity: 2 }))).body as {
      id: string;
      revision: number;
    };
    const published = (await organizer.post(`/v1/events/${event.id}/publish`)).body as {
      revision: number;
    };

    const controller = new AbortController();
    const res = await fetch(`${apis[1]!.base}/v1/events/${event.id}/live`, {
      headers: { 'last-event-id': String(published.revision) },
      signal: controller.signal,
    });
    const seen: { confirmedCount: number; waitlistCount: number }[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          for (const line of buffer.split('\n'))
            if (line.startsWith('data: ')) seen.push(JSON.parse(line.slice(6)));
          buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
        }
      } catch {
        // aborted below
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < 3; i++) {
      const person = new TestClient(apis[0]!.base);
      await person.signUp(uniqueEmail());
      expect((await person.post(`/v1/events/${event.id}/registrations`)).status).toBe(201);
    }
    await expect
      .poll(() => seen.at(-1), { timeout: 15_000 })
      .toMatchObject({ confirmedCount: 2, waitlistCount: 1 });
    controller.abort();
    await reading;
  });

  it('produces interactions posted to either instance to Kafka interactions.v1', async () => {
    const logger = createLogger({ service: 'backbone-test', level: 'silent' });
    const kafka = await createKafkaLog({
      brokers: process.env.KAFKA_BROKERS?.split(',') ?? [...localDefaults.kafkaBrokers],
      clientId: 'backbone-test',
      logger,
    });
    const sessionId = `session-${randomBytes(6).toString('hex')}`;
    const mine: string[] = [];
    const sub = await kafka.consume({
      group: `backbone-test-${sessionId}`,
      topics: [topics.interactions],
      from: 'end',
      handle: async (batch) => {
        for (const d of batch) {
          const v = JSON.parse(Buffer.from(d.value).toString()) as {
            sessionId: string;
            type: string;
          };
          if (v.sessionId === sessionId) mine.push(v.type);
          d.ack();
        }
      },
    });
    try {
      const at = new Date().toISOString();
      const eventId = '0192f1d2-7c3a-7b11-8a3e-0f1e2d3c4b5a';
      for (const [i, type] of (['impression', 'view', 'click'] as const).entries()) {
        const res = await fetch(`${apis[i % 2]!.base}/v1/interactions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ interactions: [{ type, eventId, occurredAt: at, sessionId }] }),
        });
        expect(res.status).toBe(202);
      }
      await expect.poll(() => mine.length, { timeout: 20_000 }).toBe(3);
      // One key per session: one partition, one order.
      expect(mine).toEqual(['impression', 'view', 'click']);
    } finally {
      await sub.stop();
      await kafka.close();
    }
  });
});
