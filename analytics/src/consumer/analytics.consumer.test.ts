import { deadLetterTopic, topics } from '@platform/contracts';
import { Registry } from '@platform/kit';
import { createMemoryLog, type Delivery } from '@platform/kit/messaging';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsStore } from '../store/analytics-store.port.js';
import { migrate } from '../store/migration.runner.js';
import { consumeTracked, publishAll, readUntilIdle } from '../testing/pipeline.js';
import type { GeneratedMessage } from '../testing/stream.generator.js';
import { openTestStore, type TestStore } from '../testing/test-stores.js';
import { AnalyticsConsumer } from './analytics.consumer.js';
import { createConsumerMetrics } from './consumer.metrics.js';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const T = Date.parse('2024-06-01T10:00:00Z');
const enc = new TextEncoder();

const interaction = (n: number, occurredAt: number, over: Record<string, unknown> = {}) => ({
  id: `0190a000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`,
  type: 'view',
  eventId: '0190a000-0000-7000-8000-00000000e001',
  query: null,
  position: 1,
  resultCount: null,
  occurredAt: new Date(occurredAt).toISOString(),
  receivedAt: new Date(occurredAt + 500).toISOString(),
  sessionId: `session-${n % 3}`,
  userId: null,
  ...over,
});

/** Hand-made deliveries for calling `handle` directly; `acked` records ack order. */
function deliveries(values: unknown[], partition = 0, firstOffset = 0, acked: string[] = []) {
  return values.map((v, i): Delivery => ({
    topic: topics.interactions,
    key: 'k',
    value: enc.encode(typeof v === 'string' ? v : JSON.stringify(v)),
    headers: {},
    partition,
    offset: String(firstOffset + i),
    deliveryCount: 1,
    timestamp: new Date(),
    ack: () => acked.push(String(firstOffset + i)),
    nak: () => {},
  }));
}

describe('analytics consumer', () => {
  let t: TestStore;
  let store: AnalyticsStore;

  beforeAll(async () => {
    t = await openTestStore('chdb');
    store = t.store;
    await migrate(store);
  });
  afterAll(() => t?.drop());

  it('acks a batch only once ClickHouse has it, and nothing when the write fails', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const gated: AnalyticsStore = {
      ...store,
      insert: async (table, rows) => {
        await gate;
        return store.insert(table, rows);
      },
    };
    const acked: string[] = [];
    const consumer = new AnalyticsConsumer({ log: createMemoryLog(), store: gated, logger });
    const handling = consumer.handle(
      deliveries([interaction(1, T), interaction(2, T + 1000)], 7, 0, acked),
    );
    await sleep(50);
    expect(acked).toEqual([]);
    release();
    await handling;
    expect(acked).toEqual(['0', '1']);
    const [row] = await store.query<{ n: number }>(
      'SELECT count() AS n FROM interactions WHERE source_partition = 7',
    );
    expect(Number(row!.n)).toBe(2);

    const failing: AnalyticsStore = {
      ...store,
      insert: async () => {
        throw new Error('ClickHouse is down');
      },
    };
    const failedAcks: string[] = [];
    const broken = new AnalyticsConsumer({ log: createMemoryLog(), store: failing, logger });
    await expect(
      broken.handle(deliveries([interaction(3, T + 2000)], 8, 0, failedAcks)),
    ).rejects.toThrow('ClickHouse is down');
    expect(failedAcks).toEqual([]);
  });

  it('stores where an interaction happened, and an empty surface for messages without one', async () => {
    const consumer = new AnalyticsConsumer({ log: createMemoryLog(), store, logger });
    await consumer.handle(
      deliveries(
        [
          interaction(60, T, { type: 'impression', surface: 'recommendations' }),
          interaction(61, T + 100, { type: 'click', surface: 'recommendations' }),
          interaction(62, T + 200, { surface: null }),
          interaction(63, T + 300),
        ],
        9,
      ),
    );
    const rows = await store.query<{ type: string; surface: string }>(
      'SELECT type, surface FROM interactions WHERE source_partition = 9 ORDER BY source_offset',
    );
    expect(rows).toEqual([
      { type: 'impression', surface: 'recommendations' },
      { type: 'click', surface: 'recommendations' },
      { type: 'view', surface: '' },
      { type: 'view', surface: '' },
    ]);
  });

  it('sends bad messages to <topic>.dlq with the reason and keeps the stream flowing', async () => {
    const log = createMemoryLog({ partitions: 1 });
    const good = (n: number) => ({
      topic: topics.interactions,
      key: 'k',
      value: enc.encode(JSON.stringify(interaction(100 + n, T + n * 1000))),
      headers: {},
    });
    const bad = (value: string) => ({
      topic: topics.interactions,
      key: 'k',
      value: enc.encode(value),
      headers: { traceparent: 'tp' },
    });
    const messages: GeneratedMessage[] = [
      good(1),
      bad('{not json'),
      bad(JSON.stringify(interaction(150, T, { type: 'teleport' }))),
      bad(JSON.stringify(interaction(151, T, { occurredAt: '2024-06-01T12:00:00Z' }))),
      good(2),
      {
        topic: topics.domain,
        key: 'x',
        value: enc.encode('{"type":"event.created","data":{}}'),
        headers: {},
      },
      {
        topic: topics.domain,
        key: 'x',
        value: enc.encode('{"type":"model.promoted","data":{}}'),
        headers: {},
      },
    ];
    const ends = await publishAll(log, messages);
    const registry = new Registry();
    const metrics = createConsumerMetrics(registry);
    const consumer = new AnalyticsConsumer({
      log,
      store,
      logger,
      metrics,
      options: { group: 'dlq-test' },
    });
    const { subscription, tracker } = await consumeTracked(
      log,
      { group: 'dlq-test', topics: [topics.interactions, topics.domain], maxBatch: 100 },
      (batch) => consumer.handle(batch),
    );
    await tracker.waitFor(ends);
    await subscription.stop();

    const dlq = await readUntilIdle(log, [
      deadLetterTopic(topics.interactions),
      deadLetterTopic(topics.domain),
    ]);
    dlq.sort((a, b) => a.topic.localeCompare(b.topic) || Number(a.offset) - Number(b.offset));
    const reasons = dlq.map((m) => [
      m.topic,
      m.headers['dlq-source'],
      m.headers['dlq-reason']?.split(':')[0],
    ]);
    expect(reasons).toEqual([
      [deadLetterTopic(topics.interactions), `${topics.interactions}:0:1`, 'invalid-json'],
      [deadLetterTopic(topics.interactions), `${topics.interactions}:0:2`, 'invalid-interaction'],
      [deadLetterTopic(topics.interactions), `${topics.interactions}:0:3`, 'clock-skew'],
      [deadLetterTopic(topics.domain), `${topics.domain}:0:0`, 'invalid-domain-message'],
    ]);
    // The dead letter is the original message, headers kept, so it can be fixed and replayed.
    expect(Buffer.from(dlq[0]!.value).toString()).toBe('{not json');
    expect(dlq[0]!.headers.traceparent).toBe('tp');

    const ids = await store.query<{ id: string }>(
      `SELECT id FROM interactions WHERE has({ids:Array(String)}, id) ORDER BY id`,
      { ids: [interaction(101, 0).id, interaction(102, 0).id] },
    );
    expect(ids).toHaveLength(2);
    expect(await registry.getSingleMetricAsString('analytics_dead_letters_total')).toContain(
      'analytics_dead_letters_total{topic="interactions.v1",reason="invalid"} 3',
    );
    expect(await registry.getSingleMetricAsString('analytics_messages_total')).toContain(
      'analytics_messages_total{topic="platform.domain.v1",outcome="ignored"} 1',
    );
  });

  it('writes a list’s impressions as rows of their own from its one offset, and dead-letters a too-late list once', async () => {
    const log = createMemoryLog({ partitions: 1 });
    const registry = new Registry();
    const metrics = createConsumerMetrics(registry);
    const consumer = new AnalyticsConsumer({ log, store, logger, metrics });
    const later = T + 3 * 3_600_000;
    const list = (n: number, at: number, size: number) => ({
      type: 'impression-list',
      query: null,
      resultCount: null,
      surface: 'recommendations',
      occurredAt: new Date(at).toISOString(),
      receivedAt: new Date(at + 500).toISOString(),
      sessionId: 'session-list',
      userId: null,
      items: Array.from({ length: size }, (_, k) => ({
        id: interaction(n + k, 0).id,
        eventId: interaction(0, 0, {}).eventId,
        position: k,
      })),
    });
    // A list from 3 hours before the partition's newest record is past the allowed lateness.
    const tooLate = list(400, T, 3);
    await consumer.handle(
      deliveries([interaction(399, later), tooLate, list(410, later + 1000, 2)], 11),
    );
    const rows = await store.query<{ id: string; offset: number; position: number; late: number }>(
      `SELECT id, source_offset AS offset, position, late FROM interactions
      WHERE source_partition = 11 AND type = 'impression' ORDER BY id`,
    );
    expect(rows.map((r) => [r.id, Number(r.offset), Number(r.position), Number(r.late)])).toEqual([
      [interaction(400, 0).id, 1, 0, 1],
      [interaction(401, 0).id, 1, 1, 1],
      [interaction(402, 0).id, 1, 2, 1],
      [interaction(410, 0).id, 2, 0, 0],
      [interaction(411, 0).id, 2, 1, 0],
    ]);
    const dlq = await readUntilIdle(log, [deadLetterTopic(topics.interactions)]);
    expect(
      dlq.map((m) => [m.headers['dlq-source'], m.headers['dlq-reason']?.split(':')[0]]),
    ).toEqual([[`${topics.interactions}:11:1`, 'too late']]);
    expect(JSON.parse(Buffer.from(dlq[0]!.value).toString())).toEqual(tooLate);
    expect(await registry.getSingleMetricAsString('analytics_late_interactions_total')).toContain(
      'analytics_late_interactions_total{outcome="dropped"} 3',
    );
  });

  it('restores a partition’s watermark from ClickHouse when deliveries do not continue where it left off', async () => {
    const first = new AnalyticsConsumer({
      log: createMemoryLog(),
      store,
      logger,
      options: { group: 'restore' },
    });
    await first.handle(
      deliveries([interaction(200, T), interaction(201, T + 3 * 3_600_000)], 5, 0),
    );
    // A new process (or a rebalance) picks the partition up at offset 2: the record from 3 hours
    // before the partition's newest is past the allowed lateness only if the state was restored.
    const second = new AnalyticsConsumer({
      log: createMemoryLog(),
      store,
      logger,
      options: { group: 'restore' },
    });
    await second.handle(deliveries([interaction(202, T + 60_000)], 5, 2));
    const rows = await store.query<{ id: string; late: number }>(
      `SELECT id, late FROM interactions WHERE source_partition = 5 ORDER BY id`,
    );
    expect(rows.map((r) => [r.id, Number(r.late)])).toEqual([
      [interaction(200, 0).id, 0],
      [interaction(201, 0).id, 0],
      [interaction(202, 0).id, 1],
    ]);
    expect(second.engine.maxEventTimeOf(`${topics.interactions}:5`)).toBe(T + 3 * 3_600_000);
  });
});
