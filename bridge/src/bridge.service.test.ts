import { subjects, topics } from '@platform/contracts';
import { createLogger, newId, Registry } from '@platform/kit';
import { createMemoryLog, type MessageLog, type OutgoingMessage } from '@platform/kit/messaging';
import { afterEach, describe, expect, it } from 'vitest';
import { startBridge, type Bridge, type StartBridgeOptions } from './bridge.service.js';
import { mappingsFileSchema } from './mappings/mapping.config.js';
import {
  bytes,
  collect,
  registrationConfirmed,
  sleep,
  text,
  type Collector,
} from './testing/collector.js';

const logger = createLogger({ service: 'bridge-test', level: 'silent' });
const poll = { timeout: 5_000, interval: 10 };
const fastRetry = { initialMs: 2, maxMs: 10 };

type MappingsInput = Parameters<typeof mappingsFileSchema.parse>[0];

const running: { bridge: Bridge; logs: MessageLog[] }[] = [];
const subscriptions: Collector[] = [];

afterEach(async () => {
  await Promise.all(subscriptions.splice(0).map((c) => c.subscription.stop()));
  for (const { bridge, logs } of running.splice(0)) {
    await bridge.stop();
    await Promise.all(logs.map((l) => l.close()));
  }
});

/** Two in-memory logs as in embedded mode: the NATS side keeps one order, Kafka has partitions. */
function memoryLogs() {
  return { nats: createMemoryLog({ partitions: 1 }), kafka: createMemoryLog({ partitions: 3 }) };
}

async function start(
  logs: { nats: MessageLog; kafka: MessageLog },
  mappings: MappingsInput | undefined,
  extra: {
    registry?: Registry;
    drainTimeoutMs?: number;
    lag?: StartBridgeOptions['lag'];
  } = {},
) {
  const registry = extra.registry ?? new Registry();
  const bridge = await startBridge({
    nats: logs.nats,
    kafka: logs.kafka,
    ...(mappings === undefined ? {} : { mappings: mappingsFileSchema.parse(mappings) }),
    logger,
    metrics: registry,
    ...(extra.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: extra.drainTimeoutMs }),
    ...(extra.lag ? { lag: extra.lag, lagIntervalMs: 20 } : {}),
  });
  running.push({ bridge, logs: [logs.nats, logs.kafka] });
  return { bridge, registry };
}

async function collector(log: MessageLog, topicNames: string[]) {
  const c = await collect(log, topicNames);
  subscriptions.push(c);
  return c;
}

/** Wraps a log so a test decides which publishes fail, and how long they take. */
function controlled(
  log: MessageLog,
  behave: (messages: OutgoingMessage[]) => Promise<void> | void,
): MessageLog & { publishes: number } {
  const wrapper = {
    kind: log.kind,
    dedupById: log.dedupById,
    publishes: 0,
    async publish(messages: OutgoingMessage[]) {
      wrapper.publishes++;
      await behave(messages);
      return log.publish(messages);
    },
    consume: log.consume.bind(log),
    close: log.close.bind(log),
  };
  return wrapper;
}

const json = (value: unknown) => bytes(JSON.stringify(value));
const domainMapping = {
  name: 'domain',
  subjects: ['platform.>'],
  topic: topics.domain,
  key: { from: 'payload', field: 'aggregateId' },
  validate: 'domain',
} as const;

describe('bridge between two in-memory logs', () => {
  it('forwards NATS -> Kafka keyed by a payload field, every header kept, origin set to the bridge', async () => {
    const logs = memoryLogs();
    await start(logs, { natsToKafka: [domainMapping] });
    const kafka = await collector(logs.kafka, [topics.domain]);
    const eventId = newId();
    const sent = [1, 2, 3].map((revision) => registrationConfirmed(eventId, revision));
    const headers = {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      origin: 'core-api',
      'message-type': 'registration.confirmed',
      'x-unicode': 'café ✓',
    };
    await logs.nats.publish(
      sent.map((m) => ({
        topic: subjects.registrationConfirmed,
        key: 'nats-key',
        value: json(m),
        headers,
        id: m.id,
      })),
    );

    await expect.poll(() => kafka.received.length, poll).toBe(3);
    expect(kafka.values()).toEqual(sent.map((m) => JSON.stringify(m)));
    for (const d of kafka.received) {
      expect(d.key).toBe(eventId);
      expect(d.headers).toEqual({
        ...headers,
        origin: 'bridge:nats',
        'origin-upstream': 'core-api',
      });
    }
  });

  it('forwards Kafka -> NATS with key and headers, dedup id topic:partition:offset, so a second pass adds nothing', async () => {
    const logs = memoryLogs();
    const mapping = { name: 'models', topics: [topics.models], subject: subjects.modelPromoted };
    await start(logs, { kafkaToNats: [mapping] });
    const nats = await collector(logs.nats, [subjects.modelPromoted]);
    const published = await logs.kafka.publish(
      ['m0', 'm1', 'm2', 'm3'].map((value, i) => ({
        topic: topics.models,
        key: `model-${i % 2}`,
        value: bytes(value),
        headers: { traceparent: `t-${i}`, 'x-binary-safe': 'é' },
      })),
    );

    await expect.poll(() => nats.received.length, poll).toBe(4);
    for (const d of nats.received) {
      const i = Number(text(d.value).slice(1));
      expect(d.key).toBe(`model-${i % 2}`);
      expect(d.headers).toEqual({
        traceparent: `t-${i}`,
        'x-binary-safe': 'é',
        origin: 'bridge:kafka',
      });
      expect(d.id).toBe(`${topics.models}:${published[i]!.partition}:${published[i]!.offset}`);
    }
    // Another group over the same offsets (as after a crash before the commit) publishes the same
    // ids: the NATS side drops them as duplicates.
    const again = await start(logs, { kafkaToNats: [{ ...mapping, group: 'replay' }] });
    await expect.poll(() => again.bridge.stats().models!.forwarded, poll).toBe(4);
    await sleep(50);
    expect(nats.received).toHaveLength(4);
  });

  it('does not echo with both directions mapped: each message crosses once', async () => {
    const logs = memoryLogs();
    const { bridge } = await start(logs, {
      natsToKafka: [{ name: 'out', subjects: ['loop.>'], topic: 'loop-topic' }],
      kafkaToNats: [{ name: 'back', topics: ['loop-topic'], subject: 'loop.from-kafka' }],
    });
    const kafka = await collector(logs.kafka, ['loop-topic']);
    const nats = await collector(logs.nats, ['loop.>']);
    await logs.nats.publish(
      Array.from({ length: 20 }, (_, i) => ({
        topic: 'loop.native',
        key: `k${i % 4}`,
        value: bytes(`n${i}`),
        headers: {},
      })),
    );
    await logs.kafka.publish(
      Array.from({ length: 10 }, (_, i) => ({
        topic: 'loop-topic',
        key: `k${i % 4}`,
        value: bytes(`k${i}`),
        headers: {},
      })),
    );

    await expect
      .poll(() => bridge.stats(), poll)
      .toMatchObject({
        out: { forwarded: 20, skipped: 10 },
        back: { forwarded: 10, skipped: 20 },
      });
    await sleep(100);
    expect(kafka.received).toHaveLength(30);
    expect(nats.received).toHaveLength(30);
    expect(bridge.stats()).toMatchObject({
      out: { forwarded: 20, skipped: 10 },
      back: { forwarded: 10, skipped: 20 },
    });
    expect(
      nats.received.filter((d) => d.topic === 'loop.from-kafka').map((d) => d.headers.origin),
    ).toEqual(Array(10).fill('bridge:kafka'));
  });

  it('dead-letters invalid messages with the reason and keeps the stream flowing in order', async () => {
    const logs = memoryLogs();
    const { registry } = await start(logs, { natsToKafka: [domainMapping] });
    const kafka = await collector(logs.kafka, [topics.domain]);
    const dead = await collector(logs.kafka, [`${topics.domain}.dlq`]);
    const eventId = newId();
    const [first, second] = [registrationConfirmed(eventId, 1), registrationConfirmed(eventId, 2)];
    const broken = { ...registrationConfirmed(eventId, 3), data: { capacity: 'many' } };
    const results = await logs.nats.publish([
      {
        topic: subjects.registrationConfirmed,
        key: null,
        value: json(first),
        headers: { traceparent: 't1' },
      },
      {
        topic: subjects.registrationConfirmed,
        key: null,
        value: json(broken),
        headers: { traceparent: 't2' },
      },
      { topic: subjects.registrationConfirmed, key: 'k', value: bytes('{not json'), headers: {} },
      { topic: subjects.registrationConfirmed, key: null, value: json(second), headers: {} },
    ]);

    await expect.poll(() => kafka.received.length, poll).toBe(2);
    expect(kafka.values()).toEqual([JSON.stringify(first), JSON.stringify(second)]);
    await expect.poll(() => dead.received.length, poll).toBe(2);
    const [invalid, notJson] = [...dead.received].sort(
      (a, b) =>
        Number(a.headers['dlq-source']!.split(':')[2]) -
        Number(b.headers['dlq-source']!.split(':')[2]),
    );
    expect(text(invalid!.value)).toBe(JSON.stringify(broken));
    expect(invalid!.headers).toMatchObject({
      traceparent: 't2',
      origin: 'bridge:nats',
      'dlq-mapping': 'domain',
      'dlq-source': `${subjects.registrationConfirmed}:0:${results[1]!.offset}`,
    });
    expect(invalid!.headers['dlq-reason']).toMatch(/^not a valid domain message: data\.\w+/);
    expect(notJson!.key).toBe('k');
    expect(notJson!.headers['dlq-reason']).toMatch(/^not JSON: /);
    const exposed = await registry.metrics();
    expect(exposed).toMatch(
      /bridge_dead_letters_total\{mapping="domain",direction="nats-to-kafka",cause="invalid"[^}]*\} 2/,
    );
  });

  it('dead-letters a message whose key cannot be found, with the reason', async () => {
    const logs = memoryLogs();
    await start(logs, {
      natsToKafka: [
        {
          name: 'keyed',
          subjects: ['keyed.>'],
          topic: 'keyed',
          key: { from: 'header', name: 'user' },
        },
      ],
    });
    const kafka = await collector(logs.kafka, ['keyed']);
    const dead = await collector(logs.kafka, ['keyed.dlq']);
    await logs.nats.publish([
      { topic: 'keyed.a', key: null, value: bytes('no user'), headers: {} },
      { topic: 'keyed.a', key: null, value: bytes('user'), headers: { user: 'u1' } },
    ]);
    await expect
      .poll(() => kafka.received.map((d) => [text(d.value), d.key]), poll)
      .toEqual([['user', 'u1']]);
    await expect
      .poll(() => dead.received.map((d) => d.headers['dlq-reason']), poll)
      .toEqual(['no key: header "user" is missing']);
  });

  it('retries a failing send in place, in order, and dead-letters only the message that keeps failing alone', async () => {
    const base = memoryLogs();
    let transient = 2;
    const kafkaSide = controlled(base.kafka, (messages) => {
      if (messages.some((m) => m.topic === 'out') && transient-- > 0)
        throw new Error('broker hiccup');
      if (messages.some((m) => m.topic === 'out' && text(m.value) === 'poison'))
        throw new Error('message too large');
    });
    const logs = { nats: base.nats, kafka: kafkaSide };
    const { bridge } = await start(logs, {
      settings: { maxDeliveries: 3, retry: fastRetry, batchSize: 100 },
      natsToKafka: [{ name: 'out', subjects: ['in.>'], topic: 'out' }],
    });
    const kafka = await collector(base.kafka, ['out']);
    const dead = await collector(base.kafka, ['out.dlq']);
    const values = ['m0', 'm1', 'm2', 'm3', 'poison', 'm5', 'm6', 'm7'];
    await base.nats.publish(
      values.map((v) => ({ topic: 'in.x', key: 'same', value: bytes(v), headers: {} })),
    );

    await expect.poll(() => kafka.values(), poll).toEqual(values.filter((v) => v !== 'poison'));
    await expect.poll(() => dead.values(), poll).toEqual(['poison']);
    expect(dead.received[0]!.headers['dlq-reason']).toMatch(
      /^\d+ sends failed, the last with: message too large/,
    );
    expect(bridge.stats().out).toMatchObject({ forwarded: 7, deadLettered: 1 });
  });

  it('dead-letters nothing while the other side is down: everything arrives in order once it is back', async () => {
    const base = memoryLogs();
    let down = true;
    const natsSide = controlled(base.nats, () => {
      if (down) throw new Error('no responders');
    });
    const { registry } = await start(
      { nats: natsSide, kafka: base.kafka },
      {
        settings: { maxDeliveries: 2, retry: fastRetry, batchSize: 5 },
        kafkaToNats: [{ name: 'back', topics: ['src'], subject: 'dst.x' }],
      },
    );
    const nats = await collector(base.nats, ['dst.>']);
    const values = Array.from({ length: 12 }, (_, i) => `v${i}`);
    await base.kafka.publish(
      values.map((v) => ({ topic: 'src', key: 'one', value: bytes(v), headers: {} })),
    );
    await expect.poll(() => natsSide.publishes, poll).toBeGreaterThan(10);
    down = false;

    await expect.poll(() => nats.values(), poll).toEqual(values);
    expect(nats.received.every((d) => d.topic === 'dst.x')).toBe(true);
    expect(await registry.metrics()).toMatch(
      /bridge_send_failures_total\{mapping="back"[^}]*\} [1-9]/,
    );
    expect(await registry.metrics()).not.toMatch(/bridge_dead_letters_total\{mapping="back"/);
  });

  it('keeps each key in order while several group members send in parallel', async () => {
    const base = memoryLogs();
    const natsSide = controlled(base.nats, () => sleep(Math.random() * 3));
    const { bridge } = await start(
      { nats: natsSide, kafka: base.kafka },
      {
        settings: { batchSize: 20 },
        kafkaToNats: [{ name: 'fan', topics: ['fan'], subject: 'fan.out', concurrency: 3 }],
      },
    );
    const nats = await collector(base.nats, ['fan.out']);
    const keys = Array.from({ length: 30 }, (_, k) => `key-${k}`);
    const sent = Array.from({ length: 20 }, (_, i) =>
      keys.map((key) => ({ key, value: `${key}:${i}` })),
    ).flat();
    await base.kafka.publish(
      sent.map((m) => ({ topic: 'fan', key: m.key, value: bytes(m.value), headers: {} })),
    );

    await expect.poll(() => nats.received.length, poll).toBe(sent.length);
    for (const [key, values] of nats.byKey())
      expect(values).toEqual(sent.filter((m) => m.key === key).map((m) => m.value));
    // More than one batch was out at once: the members really ran side by side.
    expect(bridge.stats().fan!.peakInFlight).toBeGreaterThan(20);
  });

  it('holds at most batchSize per member in flight however large the backlog', async () => {
    const base = memoryLogs();
    const natsSide = controlled(base.nats, () => sleep(2));
    await base.kafka.publish(
      Array.from({ length: 5_000 }, (_, i) => ({
        topic: 'backlog',
        key: `k${i % 50}`,
        value: bytes(`b${i}`),
        headers: {},
      })),
    );
    const { bridge, registry } = await start(
      { nats: natsSide, kafka: base.kafka },
      {
        settings: { batchSize: 50, window: 100 },
        kafkaToNats: [{ name: 'drain', topics: ['backlog'], subject: 'drained', concurrency: 2 }],
      },
    );
    const nats = await collector(base.nats, ['drained']);

    await expect.poll(() => nats.received.length, { ...poll, timeout: 10_000 }).toBe(5_000);
    const stats = bridge.stats().drain!;
    expect(stats.peakInFlight).toBeGreaterThan(0);
    expect(stats.peakInFlight).toBeLessThanOrEqual(100);
    expect(stats.inFlight).toBe(0);
    expect(await registry.metrics()).toMatch(
      /bridge_in_flight_messages\{mapping="drain"[^}]*\} 0\n/,
    );
  });

  it('drains on stop: the batch in flight is sent and acked, and the next run goes on from there', async () => {
    const base = memoryLogs();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    const natsSide = controlled(base.nats, async () => {
      if (!held) {
        held = true;
        await gate;
      }
    });
    const mappings = {
      settings: { batchSize: 10 },
      kafkaToNats: [{ name: 'drain', topics: ['d'], subject: 'drained', concurrency: 1 }],
    };
    const first = await start({ nats: natsSide, kafka: base.kafka }, mappings);
    const nats = await collector(base.nats, ['drained']);
    const values = Array.from({ length: 60 }, (_, i) => `d${i}`);
    await base.kafka.publish(
      values.map((v) => ({ topic: 'd', key: 'one', value: bytes(v), headers: {} })),
    );
    await expect.poll(() => held, poll).toBe(true);

    let stopped = false;
    const stopping = first.bridge.stop().then(() => (stopped = true));
    await sleep(100);
    expect(stopped).toBe(false);
    release();
    await stopping;
    const sentBeforeStop = first.bridge.stats().drain!.forwarded;
    expect(sentBeforeStop).toBeGreaterThanOrEqual(10);
    expect(sentBeforeStop).toBeLessThan(60);

    const second = await start({ nats: base.nats, kafka: base.kafka }, mappings);
    await expect.poll(() => nats.values(), poll).toEqual(values);
    // Only what the first run had not acked is sent again.
    expect(second.bridge.stats().drain!.forwarded).toBe(60 - sentBeforeStop);
  });

  it('gives up on a send that never answers after the drain timeout; the next run sends it', async () => {
    const base = memoryLogs();
    const natsSide = controlled(base.nats, () => new Promise<void>(() => undefined));
    const mappings = { kafkaToNats: [{ name: 'stuck', topics: ['s'], subject: 'stuck' }] };
    const first = await start({ nats: natsSide, kafka: base.kafka }, mappings, {
      drainTimeoutMs: 200,
    });
    await base.kafka.publish([{ topic: 's', key: null, value: bytes('late'), headers: {} }]);
    await expect.poll(() => natsSide.publishes, poll).toBe(1);
    const started = Date.now();
    await first.bridge.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(first.bridge.stats().stuck!.forwarded).toBe(0);

    const nats = await collector(base.nats, ['stuck']);
    await start({ nats: base.nats, kafka: base.kafka }, mappings);
    await expect.poll(() => nats.values(), poll).toEqual(['late']);
  });

  it('exposes per-mapping metrics: messages, bytes, latency, in flight', async () => {
    const logs = memoryLogs();
    const { registry } = await start(logs, {
      natsToKafka: [{ name: 'm', subjects: ['m.>'], topic: 'm' }],
    });
    await logs.nats.publish(
      [1, 2, 3].map((i) => ({
        topic: 'm.x',
        key: null,
        value: bytes('x'.repeat(i * 10)),
        headers: {},
      })),
    );
    await expect
      .poll(async () => registry.metrics(), poll)
      .toMatch(
        /bridge_messages_total\{mapping="m",direction="nats-to-kafka",outcome="forwarded"[^}]*\} 3/,
      );
    const exposed = await registry.metrics();
    expect(exposed).toMatch(/bridge_forwarded_bytes_total\{mapping="m"[^}]*\} 60/);
    expect(exposed).toMatch(/bridge_end_to_end_latency_seconds_count\{mapping="m"[^}]*\} 3/);
    expect(exposed).toMatch(/bridge_in_flight_messages\{mapping="m"[^}]*\} 0/);
  });

  it('reports each mapping’s source lag from the probe it is given, again and again', async () => {
    const logs = memoryLogs();
    let backlog = 7;
    const { registry } = await start(
      logs,
      {
        natsToKafka: [{ name: 'a', subjects: ['a.>'], topic: 'a' }],
        kafkaToNats: [{ name: 'b', topics: ['b'], subject: 'b' }],
      },
      { lag: async (route) => (route.sourceSide === 'nats' ? backlog : undefined) },
    );
    await expect
      .poll(async () => registry.metrics(), poll)
      .toMatch(/bridge_source_lag_messages\{mapping="a",direction="nats-to-kafka"[^}]*\} 7/);
    backlog = 0;
    await expect
      .poll(async () => registry.metrics(), poll)
      .toMatch(/bridge_source_lag_messages\{mapping="a",direction="nats-to-kafka"[^}]*\} 0/);
    expect(await registry.metrics()).not.toMatch(/bridge_source_lag_messages\{mapping="b"/);
  });

  it('fails to start when a mapping cannot consume, leaving no member of the others behind', async () => {
    const logs = memoryLogs();
    let stopped = 0;
    const kafkaSide: MessageLog = {
      kind: 'kafka',
      dedupById: false,
      publish: logs.kafka.publish.bind(logs.kafka),
      close: logs.kafka.close.bind(logs.kafka),
      consume: async (options) => {
        if (options.group.endsWith('broken')) throw new Error('no such topic');
        const subscription = await logs.kafka.consume(options);
        return { stop: () => subscription.stop().then(() => void stopped++) };
      },
    };
    await expect(
      startBridge({
        nats: logs.nats,
        kafka: kafkaSide,
        mappings: mappingsFileSchema.parse({
          kafkaToNats: [
            { name: 'fine', topics: ['a'], subject: 'a', concurrency: 2 },
            { name: 'broken', topics: ['b'], subject: 'b' },
          ],
        }),
        logger,
        metrics: new Registry(),
      }),
    ).rejects.toThrow('no such topic');
    expect(stopped).toBe(2);
  });

  it('runs the repo default mappings when none are given (embedded mode)', async () => {
    const logs = memoryLogs();
    await start(logs, undefined);
    const kafka = await collector(logs.kafka, [topics.domain]);
    const nats = await collector(logs.nats, [subjects.modelPromoted]);
    const eventId = newId();
    const message = registrationConfirmed(eventId, 1);
    await logs.nats.publish([
      {
        topic: subjects.registrationConfirmed,
        key: null,
        value: json(message),
        headers: { origin: 'core-api' },
      },
    ]);
    const promoted = {
      id: newId(),
      type: 'model.promoted',
      version: 1,
      occurredAt: new Date().toISOString(),
      aggregateId: 'model-7',
      data: {
        modelId: 'model-7',
        version: 3,
        algorithm: 'als',
        metrics: { ndcg: 0.44 },
        promotedAt: new Date().toISOString(),
      },
    };
    await logs.kafka.publish([
      { topic: topics.models, key: null, value: json(promoted), headers: {} },
    ]);

    await expect.poll(() => kafka.received.map((d) => d.key), poll).toEqual([eventId]);
    await expect
      .poll(() => nats.received.map((d) => [d.key, d.headers.origin]), poll)
      .toEqual([['model-7', 'bridge:kafka']]);
  });
});
