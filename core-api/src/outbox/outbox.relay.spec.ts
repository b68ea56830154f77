import { createLogger, createMetricsRegistry } from '@platform/kit';
import type { MessageLog } from '@platform/kit/messaging';
import type { SqlDatabase } from '@platform/kit/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/db.js';
import { futureEvent, TestClient, uniqueEmail } from '../testing/client.js';
import { startTestApi, type Backend, type TestApi } from '../testing/harness.js';
import { OutboxRelay } from './outbox.relay.js';

export interface RelayWorld {
  backend: Backend;
  /** The log the relay publishes to: the in-memory NATS side, or real JetStream. */
  openLog: (
    api: TestApi,
  ) => Promise<{ log: MessageLog; subjectPrefix: string; close: () => Promise<void> }>;
}

const logger = createLogger({ service: 'relay-test', level: 'silent' });

async function collect(log: MessageLog, subject: string) {
  const seen: {
    id: string;
    subject: string;
    aggregateId: string;
    type: string;
    revision: number;
  }[] = [];
  const sub = await log.consume({
    group: `relay-test-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    topics: [subject],
    handle: async (batch) => {
      for (const d of batch) {
        const m = JSON.parse(Buffer.from(d.value).toString()) as {
          id: string;
          type: string;
          aggregateId: string;
          data: { revision?: number; eventRevision?: number };
        };
        seen.push({
          id: m.id,
          subject: d.topic,
          aggregateId: m.aggregateId,
          type: m.type,
          revision: m.data.eventRevision ?? m.data.revision ?? 0,
        });
        d.ack();
      }
    },
  });
  return { seen, stop: () => sub.stop() };
}

const relayFor = (db: Db, sql: SqlDatabase, log: MessageLog, pollIntervalMs = 60_000) =>
  new OutboxRelay({
    db,
    sql,
    log,
    logger,
    metrics: createMetricsRegistry('relay-test'),
    pollIntervalMs,
    batchSize: 50,
  });

export function relaySpec(world: RelayWorld) {
  describe(`outbox relay (${world.backend})`, () => {
    let api: TestApi;
    let target: Awaited<ReturnType<RelayWorld['openLog']>>;
    let organizer: TestClient;
    beforeAll(async () => {
      api = await startTestApi(world.backend);
      target = await world.openLog(api);
      organizer = new TestClient(api.base);
      await organizer.signUp(uniqueEmail('organizer'));
    });
    afterAll(async () => {
      await target.close();
      await api.close();
    });

    async function ticketDrop(people: number, capacity: number) {
      const event = (await organizer.post('/v1/events', futureEvent({ capacity }))).body as {
        id: string;
      };
      await organizer.post(`/v1/events/${event.id}/publish`);
      const crowd = await Promise.all(
        Array.from({ length: people }, async () => {
          const c = new TestClient(api.base);
          await c.signUp(uniqueEmail());
          return c;
        }),
      );
      await Promise.all(crowd.map((c) => c.post(`/v1/events/${event.id}/registrations`)));
      return event.id;
    }

    it('publishes every row once, in order per aggregate, marks it only after the ack, woken by NOTIFY', async () => {
      const received = await collect(target.log, 'platform.>');
      const relay = relayFor(api.db, api.sql, target.log);
      await relay.start();
      try {
        const eventId = await ticketDrop(12, 3);
        // The poll interval is a minute: only NOTIFY can make this fast.
        await expect.poll(async () => (await relay.stats()).backlog, { timeout: 10_000 }).toBe(0);
        const rows = await api.db
          .selectFrom('outbox')
          .select(['id', 'published_at'])
          .where('aggregate_id', '=', eventId)
          .orderBy('seq')
          .execute();
        expect(rows.every((r) => r.published_at !== null)).toBe(true);
        await expect
          .poll(() => received.seen.filter((m) => m.aggregateId === eventId).length, {
            timeout: 10_000,
          })
          .toBe(rows.length);
        const mine = received.seen.filter((m) => m.aggregateId === eventId);
        expect(mine.map((m) => m.id)).toEqual(rows.map((r) => r.id));
        expect(mine.map((m) => m.revision)).toEqual(
          [...mine.map((m) => m.revision)].sort((a, b) => a - b),
        );
        expect(mine[0]!.subject).toBe('platform.event.created');
      } finally {
        await relay.stop();
        await received.stop();
      }
    });

    it('with two relays at once (two API instances), publishes nothing twice and keeps the order', async () => {
      const received = await collect(target.log, 'platform.>');
      const relays = [
        relayFor(api.db, api.sql, target.log, 200),
        relayFor(api.db, api.sql, target.log, 200),
      ];
      await Promise.all(relays.map((r) => r.start()));
      try {
        const eventId = await ticketDrop(30, 5);
        await expect
          .poll(async () => (await relays[0]!.stats()).backlog, { timeout: 15_000 })
          .toBe(0);
        const rows = await api.db
          .selectFrom('outbox')
          .select(['id'])
          .where('aggregate_id', '=', eventId)
          .orderBy('seq')
          .execute();
        await expect
          .poll(() => received.seen.filter((m) => m.aggregateId === eventId).length, {
            timeout: 10_000,
          })
          .toBe(rows.length);
        await new Promise((r) => setTimeout(r, 300));
        const mine = received.seen.filter((m) => m.aggregateId === eventId);
        expect(mine.map((m) => m.id)).toEqual(rows.map((r) => r.id));
      } finally {
        await Promise.all(relays.map((r) => r.stop()));
        await received.stop();
      }
    });

    it('republishing after a crash between the ack and the commit is dropped as a duplicate', async () => {
      const eventId = await ticketDrop(3, 10);
      const rows = await api.db
        .selectFrom('outbox')
        .selectAll()
        .where('aggregate_id', '=', eventId)
        .orderBy('seq')
        .execute();
      const messages = rows.map((r) => ({
        id: r.id,
        topic: r.subject,
        key: r.aggregate_id,
        value: Buffer.from(JSON.stringify(r.message)),
        headers: r.headers,
      }));
      const first = await target.log.publish(messages);
      expect(first.every((r) => !r.duplicate)).toBe(true);
      // The relay never marked them (it "crashed"), so it sends them again.
      const relay = relayFor(api.db, api.sql, target.log);
      const received = await collect(target.log, 'platform.>');
      await relay.start();
      try {
        await expect.poll(async () => (await relay.stats()).backlog, { timeout: 10_000 }).toBe(0);
        // The reader starts at the beginning of the stream, which earlier tests have filled.
        const mine = () => received.seen.filter((m) => m.aggregateId === eventId);
        await expect
          .poll(() => mine().length, { timeout: 20_000 })
          .toBeGreaterThanOrEqual(rows.length);
        await new Promise((r) => setTimeout(r, 300));
        expect(mine().map((m) => m.id)).toEqual(rows.map((r) => r.id));
      } finally {
        await relay.stop();
        await received.stop();
      }
    });
  });
}
