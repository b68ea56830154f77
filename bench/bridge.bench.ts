/**
 * `npm run bench:bridge`: 1 KB messages NATS -> Kafka and Kafka -> NATS at the same time through
 * one bridge process (`node --import tsx bridge/src/main.ts`), against the real NATS JetStream
 * and Kafka from `npm run services:up`. Traffic goes to 127.0.0.1 only.
 *
 * 1. Raw ceiling, which also fills the bridge's two sources: a JetStream async publisher (core
 *    publishes with a reply inbox, PubAcks counted by one subscription, 4,096 outstanding) straight
 *    to NATS and the Kafka adapter (kafkajs, idempotent, acks=all: the bridge's own producer)
 *    straight to Kafka, both at once, as fast as they go. The NATS adapter's publish, which the
 *    bridge sends through, is measured on its own as a second reference.
 * 2. Throughput: the bridge process starts on those backlogs and drains both at once; the rate
 *    each way is read from its /metrics (forwarded count over time). Nothing else runs meanwhile,
 *    so the figure is the bridge's, not the load generator's.
 * 3. Latency at a fixed 10,000 msg/s each way, open loop: from each message's scheduled send time
 *    to its arrival at a consumer on the other side. Reference in the same run at the same rate:
 *    the direct path (publish to Kafka and consume it; publish to NATS and consume it). The added
 *    latency is the bridge path's percentile minus the direct path's.
 * 4. Zero loss: both destinations are read back from the start and every id of every phase is
 *    checked (missing and duplicated counted).
 * Peak RSS of the bridge is VmHWM from /proc. The run stays under three minutes (waits are cut
 * short, and a latency rate that would not fit is left out and reported so).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { metricValue, startBridgeProcess, type BridgeProcess } from '@platform/bridge/testing';
import { connectNats, createKafka, createLogger, localDefaults } from '@platform/kit';
import {
  createKafkaLog,
  createNatsLog,
  type Delivery,
  type MessageLog,
  type OutgoingMessage,
} from '@platform/kit/messaging';
import { connect, createInbox, headers as natsHeaders, type NatsConnection } from 'nats';
import {
  describeMachine,
  machine,
  percentile,
  progress,
  round,
  updateReadme,
  writeResult,
} from './lib/report.js';

const MESSAGE_BYTES = 1_024;
const BACKLOG = Number(process.env.BENCH_BRIDGE_MESSAGES ?? 120_000);
const ADAPTER_REFERENCE_MESSAGES = Math.min(BACKLOG, 50_000);
/** Each way at once: the target's 10,000 msg/s each way, and 10,000 msg/s in total. */
const LATENCY_RATES = (process.env.BENCH_BRIDGE_LATENCY_RATES ?? '1000,5000,10000')
  .split(',')
  .map(Number);
const LATENCY_SECONDS = Number(process.env.BENCH_BRIDGE_LATENCY_SECONDS ?? 8);
const KEYS = 1_000;
const PARTITIONS = 3;
/** A phase that has not finished by then is reported with what is missing. */
const PHASE_TIMEOUT_MS = 30_000;
/** The whole run stays under three minutes: waits are cut short at this point, which leaves the
 * read-back its share, and whatever has not arrived by then is reported as missing. */
const startedAt = Date.now();
const waitsEndAt = startedAt + 150_000;
const readBackEndsAt = startedAt + 175_000;

const natsUrl = process.env.NATS_URL ?? localDefaults.natsUrl;
const kafkaBrokers = process.env.KAFKA_BROKERS?.split(',') ?? [...localDefaults.kafkaBrokers];
const logger = createLogger({ service: 'bench-bridge', level: 'warn' });
const run = randomBytes(4).toString('hex');
const stream = `BENCH_BRIDGE_${run}`;
const subject = (suffix: string) => `bench-bridge.${run}.${suffix}`;
const topic = (suffix: string) => `bench-bridge-${run}-${suffix}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const loadAtStart = os.loadavg();

const bridgeSettings = {
  batchSize: Number(process.env.BENCH_BRIDGE_BATCH ?? 1_000),
  window: Number(process.env.BENCH_BRIDGE_WINDOW ?? 4_000),
  concurrency: Number(process.env.BENCH_BRIDGE_CONCURRENCY ?? PARTITIONS),
};

/** Both mappings key by a payload field, as the default domain mapping does. */
const mappingsYaml = `
settings:
  name: bench-${run}
  batchSize: ${bridgeSettings.batchSize}
  window: ${bridgeSettings.window}
nats:
  streams:
    - { name: ${stream}, subjects: ['bench-bridge.${run}.>'], duplicateWindowMs: 120000, maxAgeMs: 900000 }
natsToKafka:
  - name: n2k
    subjects: ['${subject('n2k.>')}']
    topic: ${topic('n2k')}
    key: { from: payload, field: aggregateId }
kafkaToNats:
  - name: k2n
    topics: [${topic('k2n')}]
    subject: ${subject('k2n-out')}
    key: { from: payload, field: aggregateId }
    concurrency: ${bridgeSettings.concurrency}
`;

const padding = 'x'.repeat(MESSAGE_BYTES);
/** 1 KB JSON payloads shaped like a domain message, the aggregate id being the key. */
function payload(i: number): Uint8Array {
  const head = `{"id":"m-${i}","type":"bench.message","version":1,"aggregateId":"agg-${i % KEYS}","data":{"pad":"`;
  const tail = '"}}';
  return Buffer.from(head + padding.slice(0, MESSAGE_BYTES - head.length - tail.length) + tail);
}

type Stamp = { phase: string; i: number; t: number };
const stampHeaders = (s: Stamp) => ({
  'bench-phase': s.phase,
  'bench-i': String(s.i),
  'bench-t': String(s.t),
});

/**
 * A JetStream async publisher: core publishes carrying a reply subject, PubAcks (or errors)
 * counted by one subscription on the inbox, at most `window` outstanding. It spends no promise,
 * timer or request object per message, which makes it the ceiling for publishing to JetStream
 * from Node.
 */
class AsyncPublisher {
  private readonly inbox = createInbox();
  private outstanding = 0;
  private waiters: (() => void)[] = [];
  errors = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly window = 4_096,
  ) {
    nc.subscribe(`${this.inbox}.*`, {
      callback: (_error, msg) => {
        // A PubAck is {"stream":..,"seq":..}; a failure is {"error":..}.
        if (msg.data[2] !== 0x73 /* s */) this.errors++;
        this.outstanding--;
        if (this.waiters.length > 0 && this.outstanding < this.window / 2)
          for (const wake of this.waiters.splice(0)) wake();
      },
    });
  }

  async publish(target: string, s: Stamp): Promise<void> {
    while (this.outstanding >= this.window)
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.outstanding++;
    const h = natsHeaders();
    for (const [name, value] of Object.entries(stampHeaders(s))) h.set(name, value);
    this.nc.publish(target, payload(s.i), { reply: `${this.inbox}.${s.i}`, headers: h });
  }

  async drained(): Promise<void> {
    while (this.outstanding > 0) await sleep(2);
  }
}

/** Publishes `count` messages as fast as each side takes them; returns messages/s. */
async function floodNats(publisher: AsyncPublisher, target: string, phase: string, count: number) {
  const started = performance.now();
  for (let i = 0; i < count; i++) await publisher.publish(target, { phase, i, t: Date.now() });
  await publisher.drained();
  return count / ((performance.now() - started) / 1000);
}

async function floodLog(log: MessageLog, target: string, phase: string, count: number) {
  const chunk = 500;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) {
        const from = next;
        next = Math.min(count, next + chunk);
        const messages: OutgoingMessage[] = [];
        for (let i = from; i < next; i++)
          messages.push({
            topic: target,
            key: null,
            value: payload(i),
            headers: stampHeaders({ phase, i, t: Date.now() }),
          });
        await log.publish(messages);
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/** Sends at a fixed rate for `seconds` in 5 ms ticks, each message stamped with its scheduled time. */
async function steady(
  send: (s: Stamp) => Promise<unknown> | void,
  phase: string,
  rate: number,
  seconds: number,
) {
  const count = rate * seconds;
  const started = Date.now();
  const due = (i: number) => started + (i * 1000) / rate;
  const pending: Promise<unknown>[] = [];
  let i = 0;
  while (i < count) {
    const now = Date.now();
    while (i < count && due(i) <= now) {
      const sent = send({ phase, i, t: Math.round(due(i)) });
      if (sent) pending.push(sent);
      i++;
    }
    await sleep(Math.max(0, Math.min(5, due(i) - Date.now())));
  }
  await Promise.all(pending);
}

/** Steady sends to Kafka go out as one publish per tick, as a producer batching its linger would. */
function kafkaTicker(log: MessageLog, target: string) {
  let batch: OutgoingMessage[] = [];
  let scheduled: Promise<unknown> | undefined;
  return (s: Stamp) => {
    batch.push({ topic: target, key: null, value: payload(s.i), headers: stampHeaders(s) });
    scheduled ??= Promise.resolve().then(() => {
      const messages = batch;
      batch = [];
      scheduled = undefined;
      return log.publish(messages);
    });
    return scheduled;
  };
}

/** Arrival times of one phase, by message index. */
class Arrivals {
  readonly latencyMs: Float64Array;
  readonly seen: Uint8Array;
  count = 0;
  duplicates = 0;
  constructor(readonly expected: number) {
    this.latencyMs = new Float64Array(expected);
    this.seen = new Uint8Array(expected);
  }
  record(index: number, sentAt: number, now: number): void {
    if (!(index >= 0 && index < this.expected)) return;
    if (this.seen[index]) {
      this.duplicates++;
      return;
    }
    this.seen[index] = 1;
    this.latencyMs[index] = now - sentAt;
    this.count++;
  }
  latency() {
    const sorted = Array.from(this.latencyMs.filter((_, i) => this.seen[i] === 1)).sort(
      (a, b) => a - b,
    );
    return {
      messages: this.count,
      p50Ms: round(percentile(sorted, 50), 2),
      p99Ms: round(percentile(sorted, 99), 2),
      maxMs: round(sorted.at(-1) ?? NaN, 2),
    };
  }
}

/** Records arrivals per phase from deliveries or core NATS messages. */
function tracker(phases: Record<string, number>) {
  const arrivals = new Map(
    Object.entries(phases).map(([phase, count]) => [phase, new Arrivals(count)]),
  );
  return {
    arrivals,
    record(headers: (name: string) => string | undefined, now = Date.now()) {
      arrivals
        .get(headers('bench-phase') ?? '')
        ?.record(Number(headers('bench-i')), Number(headers('bench-t')), now);
    },
    get: (phase: string) => arrivals.get(phase)!,
  };
}

/** Consumes a log (for the latency phases and the final read-back), acking everything. */
async function sink(
  log: MessageLog,
  topics: string[],
  group: string,
  record: (d: Delivery) => void,
  from: 'beginning' | 'end',
) {
  return log.consume({
    group,
    topics,
    maxBatch: 1_000,
    from,
    handle: async (batch) => {
      for (const delivery of batch) {
        record(delivery);
        delivery.ack();
      }
    },
  });
}

async function until(
  done: () => boolean | Promise<boolean>,
  timeoutMs = PHASE_TIMEOUT_MS,
  endsAt = waitsEndAt,
): Promise<boolean> {
  const deadline = Math.min(Date.now() + timeoutMs, endsAt);
  while (!(await done())) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

let bridge: BridgeProcess | undefined;
let nats: MessageLog | undefined;
let kafka: MessageLog | undefined;
let nc: NatsConnection | undefined;
try {
  progress(`load average at start: ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`);
  nats = await createNatsLog({
    url: natsUrl,
    name: `bench-bridge-${run}`,
    streams: [{ name: stream, subjects: [`bench-bridge.${run}.>`], maxAgeMs: 900_000 }],
    logger,
    maxAckPending: 4_000,
  });
  kafka = await createKafkaLog({
    brokers: kafkaBrokers,
    clientId: `bench-bridge-${run}`,
    logger,
    topics: ['n2k', 'k2n', 'direct'].map((t) => ({ name: topic(t), partitions: PARTITIONS })),
  });
  const url = new URL(natsUrl);
  nc = await connect({
    servers: `${url.hostname}:${url.port || 4222}`,
    name: `bench-bridge-${run}`,
    noAsyncTraces: true,
  });
  const publisher = new AsyncPublisher(nc);

  progress(
    `raw ceiling: ${BACKLOG} messages straight to NATS (async publisher) and to Kafka (Kafka adapter) at once, filling the bridge's sources`,
  );
  const [rawNats, rawKafka] = await Promise.all([
    floodNats(publisher, subject('n2k.flood'), 'flood', BACKLOG),
    floodLog(kafka, topic('k2n'), 'flood', BACKLOG),
  ]);
  progress(`  NATS ${round(rawNats, 0)} msg/s, Kafka ${round(rawKafka, 0)} msg/s`);
  progress(
    `reference: ${ADAPTER_REFERENCE_MESSAGES} messages through the NATS adapter's publish (what the bridge publishes with)`,
  );
  const adapterNats = await floodLog(
    nats,
    subject('adapter'),
    'adapter',
    ADAPTER_REFERENCE_MESSAGES,
  );
  progress(`  ${round(adapterNats, 0)} msg/s`);

  const dir = mkdtempSync(path.join(tmpdir(), 'bench-bridge-'));
  const mappingsFile = path.join(dir, 'mappings.yaml');
  writeFileSync(mappingsFile, mappingsYaml);
  progress(
    `throughput: the bridge process (batch ${bridgeSettings.batchSize}, window ${bridgeSettings.window}, ${bridgeSettings.concurrency} Kafka members) drains ${BACKLOG} messages each way at once`,
  );
  bridge = await startBridgeProcess(
    {
      BRIDGE_MAPPINGS_FILE: mappingsFile,
      NATS_URL: natsUrl,
      KAFKA_BROKERS: kafkaBrokers.join(','),
    },
    // For profiling the bridge: BENCH_BRIDGE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
    { nodeArgs: process.env.BENCH_BRIDGE_NODE_ARGS?.split(' ').filter(Boolean) ?? [] },
  );
  /**
   * The rates are read while both directions run: from the first look at /metrics once the bridge
   * is ready (every mapping consuming) until the first direction has drained its backlog. The
   * bridge's CPU time is taken over the same window.
   */
  type Sample = { at: number; cpu: number; n2k: number; k2n: number };
  const sample = async (): Promise<Sample> => {
    const exposed = await bridge!.metrics();
    const forwarded = (mapping: string) =>
      metricValue(exposed, 'bridge_messages_total', { mapping, outcome: 'forwarded' });
    return {
      at: performance.now(),
      cpu: bridge!.cpuSeconds(),
      n2k: forwarded('n2k'),
      k2n: forwarded('k2n'),
    };
  };
  const first = await sample();
  let both: Sample | undefined;
  let latest = first;
  let lastProgress = 0;
  const drained = await until(async () => {
    latest = await sample();
    if (!both && (latest.n2k >= BACKLOG || latest.k2n >= BACKLOG)) both = latest;
    if (latest.at - lastProgress > 2_000) {
      lastProgress = latest.at;
      progress(`  NATS->Kafka ${latest.n2k}, Kafka->NATS ${latest.k2n}`);
    }
    return latest.n2k >= BACKLOG && latest.k2n >= BACKLOG;
  }, 60_000);
  const end = both ?? latest;
  const seconds = (end.at - first.at) / 1000;
  const throughput = {
    natsToKafkaMsgPerS: round((end.n2k - first.n2k) / seconds, 0),
    kafkaToNatsMsgPerS: round((end.k2n - first.k2n) / seconds, 0),
    measuredOverS: round(seconds, 2),
    forwardedBeforeWindow: { natsToKafka: first.n2k, kafkaToNats: first.k2n },
    drained,
  };
  const afterDrain = bridge.memory();
  const drainCpu = {
    bridgeCores: round((end.cpu - first.cpu) / seconds, 2),
    bridgeCpuMicrosPerMessage: round(
      ((end.cpu - first.cpu) * 1e6) / (end.n2k - first.n2k + end.k2n - first.k2n),
      1,
    ),
  };
  progress(
    `  NATS->Kafka ${throughput.natsToKafkaMsgPerS} msg/s, Kafka->NATS ${throughput.kafkaToNatsMsgPerS} msg/s over ${throughput.measuredOverS} s; the bridge used ${drainCpu.bridgeCores} cores, ${drainCpu.bridgeCpuMicrosPerMessage} µs of CPU per message`,
  );

  // Latency: consumers on the bridge's destinations and on the direct paths, all from now on.
  const phases = Object.fromEntries(
    LATENCY_RATES.map((r) => [`latency-${r}`, r * LATENCY_SECONDS]),
  );
  const onKafka = tracker(phases);
  const onNats = tracker(phases);
  const direct = { kafka: tracker(phases), nats: tracker(phases) };
  const subscriptions = [
    await sink(
      kafka,
      [topic('n2k')],
      `bench-${run}-n2k`,
      (d) => onKafka.record((n) => d.headers[n]),
      'end',
    ),
    await sink(
      kafka,
      [topic('direct')],
      `bench-${run}-direct`,
      (d) => direct.kafka.record((n) => d.headers[n]),
      'end',
    ),
    await sink(
      nats,
      [subject('k2n-out')],
      `bench-${run}-k2n`,
      (d) => onNats.record((n) => d.headers[n]),
      'end',
    ),
    await sink(
      nats,
      [subject('direct')],
      `bench-${run}-direct`,
      (d) => direct.nats.record((n) => d.headers[n]),
      'end',
    ),
  ];
  const arrived = (t: ReturnType<typeof tracker>, phase: string) =>
    t.get(phase).count >= phases[phase]!;
  /** The rates measured; one that would run past the time budget is left out (and reported so). */
  const ran: number[] = [];
  for (const rate of LATENCY_RATES) {
    const phase = `latency-${rate}`;
    if (Date.now() + 2 * LATENCY_SECONDS * 1_000 > waitsEndAt) {
      progress(`latency at ${rate} msg/s each way: left out, no time left`);
      continue;
    }
    progress(`latency: ${rate} msg/s each way through the bridge for ${LATENCY_SECONDS} s`);
    await Promise.all([
      steady((s) => publisher.publish(subject('n2k.latency'), s), phase, rate, LATENCY_SECONDS),
      steady(kafkaTicker(kafka, topic('k2n')), phase, rate, LATENCY_SECONDS),
    ]);
    await until(() => arrived(onKafka, phase) && arrived(onNats, phase));
    ran.push(rate);
    progress(
      `  NATS->Kafka p50/p99 ${onKafka.get(phase).latency().p50Ms}/${onKafka.get(phase).latency().p99Ms} ms, Kafka->NATS ${onNats.get(phase).latency().p50Ms}/${onNats.get(phase).latency().p99Ms} ms`,
    );
    progress(`reference: the direct paths at ${rate} msg/s each for ${LATENCY_SECONDS} s`);
    await Promise.all([
      steady(kafkaTicker(kafka, topic('direct')), phase, rate, LATENCY_SECONDS),
      steady((s) => publisher.publish(subject('direct'), s), phase, rate, LATENCY_SECONDS),
    ]);
    await until(() => arrived(direct.kafka, phase) && arrived(direct.nats, phase));
  }
  const peak = bridge.memory();
  const heap = await (async () => {
    const exposed = await bridge!.metrics();
    const mib = (name: string) => round(metricValue(exposed, name, {}) / 2 ** 20, 1);
    return {
      heapUsedMiB: mib('nodejs_heap_size_used_bytes'),
      heapTotalMiB: mib('nodejs_heap_size_total_bytes'),
      externalMiB: mib('nodejs_external_memory_bytes'),
    };
  })();
  await Promise.all(subscriptions.map((s) => s.stop()));

  const exposed = await bridge.metrics();
  const counters = Object.fromEntries(
    ['n2k', 'k2n'].map((mapping) => [
      mapping,
      {
        forwarded: metricValue(exposed, 'bridge_messages_total', { mapping, outcome: 'forwarded' }),
        deadLettered: metricValue(exposed, 'bridge_messages_total', {
          mapping,
          outcome: 'dead_lettered',
        }),
        sendFailures: metricValue(exposed, 'bridge_send_failures_total', { mapping }),
      },
    ]),
  );
  const exitCode = await bridge.stop('SIGTERM');
  bridge = undefined;

  progress('zero loss: reading both destinations back from the start and checking every id');
  const sentPhases = {
    flood: BACKLOG,
    ...Object.fromEntries(ran.map((r) => [`latency-${r}`, phases[`latency-${r}`]!])),
  };
  const readKafka = tracker(sentPhases);
  const readNats = tracker(sentPhases);
  const readers = [
    await sink(
      kafka,
      [topic('n2k')],
      `bench-${run}-verify`,
      (d) => readKafka.record((n) => d.headers[n]),
      'beginning',
    ),
    await sink(
      nats,
      [subject('k2n-out')],
      `bench-${run}-verify`,
      (d) => readNats.record((n) => d.headers[n]),
      'beginning',
    ),
  ];
  const total = Object.values(sentPhases).reduce((a, b) => a + b, 0);
  const seen = (t: ReturnType<typeof tracker>) =>
    [...t.arrivals.values()].reduce((n, a) => n + a.count, 0);
  await until(() => seen(readKafka) >= total && seen(readNats) >= total, 60_000, readBackEndsAt);
  await sleep(500);
  await Promise.all(readers.map((r) => r.stop()));
  const integrity = (t: ReturnType<typeof tracker>) => ({
    sent: total,
    arrived: seen(t),
    missing: total - seen(t),
    duplicates: [...t.arrivals.values()].reduce((n, a) => n + a.duplicates, 0),
  });

  /** Per rate each way: end to end through the bridge, the direct path, and the difference. */
  const latency = Object.fromEntries(
    ran.map((rate) => {
      const phase = `latency-${rate}`;
      const bridged = {
        natsToKafka: onKafka.get(phase).latency(),
        kafkaToNats: onNats.get(phase).latency(),
      };
      const reference = {
        kafka: direct.kafka.get(phase).latency(),
        nats: direct.nats.get(phase).latency(),
      };
      const added = {
        natsToKafka: {
          p50Ms: round(bridged.natsToKafka.p50Ms - reference.kafka.p50Ms, 2),
          p99Ms: round(bridged.natsToKafka.p99Ms - reference.kafka.p99Ms, 2),
        },
        kafkaToNats: {
          p50Ms: round(bridged.kafkaToNats.p50Ms - reference.nats.p50Ms, 2),
          p99Ms: round(bridged.kafkaToNats.p99Ms - reference.nats.p99Ms, 2),
        },
      };
      return [`${rate}EachWay`, { throughBridge: bridged, direct: reference, added }];
    }),
  );
  const atTarget = latency[`${LATENCY_RATES.at(-1)}EachWay`];
  const delivery = { natsToKafka: integrity(readKafka), kafkaToNats: integrity(readNats) };
  const lost = delivery.natsToKafka.missing + delivery.kafkaToNats.missing;
  const result = {
    benchmark: 'bridge',
    machine: machine(),
    loadAverage: {
      atStart: loadAtStart.map((l) => round(l, 2)),
      atEnd: os.loadavg().map((l) => round(l, 2)),
    },
    setup: {
      messageBytes: MESSAGE_BYTES,
      keys: KEYS,
      partitions: PARTITIONS,
      backlogEachWay: BACKLOG,
      latencyRatesEachWay: LATENCY_RATES,
      latencySeconds: LATENCY_SECONDS,
      bridge: {
        ...bridgeSettings,
        processes: 1,
        keyFrom: 'payload field aggregateId (JSON parsed per message)',
      },
    },
    rawCeiling: {
      natsAsyncPublisherMsgPerS: round(rawNats, 0),
      kafkaAdapterMsgPerS: round(rawKafka, 0),
      natsAdapterPublishMsgPerS: round(adapterNats, 0),
      natsPublishErrors: publisher.errors,
    },
    throughput: { ...throughput, ...drainCpu },
    ratios: {
      natsToKafkaToRawKafka: round(throughput.natsToKafkaMsgPerS / rawKafka, 3),
      kafkaToNatsToRawNats: round(throughput.kafkaToNatsMsgPerS / rawNats, 3),
      kafkaToNatsToNatsAdapter: round(throughput.kafkaToNatsMsgPerS / adapterNats, 3),
    },
    latency,
    delivery,
    lost,
    bridgeProcess: {
      peakRssMiB: round(peak.peak / 2 ** 20, 1),
      rssAfterDrainMiB: round(afterDrain.rss / 2 ** 20, 1),
      afterLatencyPhases: heap,
      exitCodeOnSigterm: exitCode,
      counters,
    },
    targets: {
      natsToKafkaMsgPerS: { target: '>= 30000', met: throughput.natsToKafkaMsgPerS >= 30_000 },
      kafkaToNatsMsgPerS: { target: '>= 30000', met: throughput.kafkaToNatsMsgPerS >= 30_000 },
      addedP99Ms: {
        target: '<= 50 at 10,000 msg/s each way',
        met:
          atTarget !== undefined &&
          atTarget.added.natsToKafka.p99Ms <= 50 &&
          atTarget.added.kafkaToNats.p99Ms <= 50,
      },
      lost: { target: '0', met: lost === 0 },
    },
  };
  const file = writeResult('bridge', result);
  const d = delivery;
  const latencyRows = ran
    .map((rate) => {
      const { throughBridge: b, direct: r, added: a } = latency[`${rate}EachWay`]!;
      const each = rate.toLocaleString('en');
      return [
        `| end-to-end p50 / p99 at ${each} msg/s each way (ms) | ${b.natsToKafka.p50Ms} / ${b.natsToKafka.p99Ms} | ${b.kafkaToNats.p50Ms} / ${b.kafkaToNats.p99Ms} | |`,
        `| direct path p50 / p99 at ${each} msg/s (ms) | ${r.kafka.p50Ms} / ${r.kafka.p99Ms} (Kafka) | ${r.nats.p50Ms} / ${r.nats.p99Ms} (NATS) | |`,
        `| added latency p50 / p99 at ${each} msg/s each way (ms) | ${a.natsToKafka.p50Ms} / **${a.natsToKafka.p99Ms}** | ${a.kafkaToNats.p50Ms} / **${a.kafkaToNats.p99Ms}** | ${rate === 10_000 ? 'p99 <= 50' : ''} |`,
      ].join('\n');
    })
    .join('\n');
  updateReadme(
    'bridge',
    `### Bridge: \`npm run bench:bridge\`

1 KB JSON messages NATS -> Kafka and Kafka -> NATS at the same time through one bridge process (batch ${bridgeSettings.batchSize}, window ${bridgeSettings.window}, ${bridgeSettings.concurrency} Kafka group members, key parsed from the payload), real NATS 2.9 JetStream and Kafka 3.9 (${PARTITIONS} partitions), all on one machine: ${describeMachine(result.machine)}. Load average at start ${result.loadAverage.atStart.join(' / ')} (a shared machine). Measured ${result.machine.date.slice(0, 10)}.

| measure | NATS -> Kafka | Kafka -> NATS | target |
|---|---|---|---|
| sustained msg/s through the bridge (draining ${BACKLOG.toLocaleString('en')} each way at once; ${throughput.measuredOverS} s with both running) | ${throughput.natsToKafkaMsgPerS} | ${throughput.kafkaToNatsMsgPerS} | >= 30,000 each way |
| raw ceiling msg/s, straight to the destination, both at once | ${result.rawCeiling.kafkaAdapterMsgPerS} (Kafka adapter) | ${result.rawCeiling.natsAsyncPublisherMsgPerS} (JetStream async publisher) | |
| bridge : raw ceiling | **${result.ratios.natsToKafkaToRawKafka}** | **${result.ratios.kafkaToNatsToRawNats}** | |
${latencyRows}
| read back: missing / duplicated (of ${total.toLocaleString('en')}) | ${d.natsToKafka.missing} / ${d.natsToKafka.duplicates} | ${d.kafkaToNats.missing} / ${d.kafkaToNats.duplicates} | 0 missing |

While draining, the bridge process used ${drainCpu.bridgeCores} cores, ${drainCpu.bridgeCpuMicrosPerMessage} µs of CPU per message forwarded; peak RSS (VmHWM) **${result.bridgeProcess.peakRssMiB} MiB**. The NATS adapter's own publish, which the bridge sends through, reached ${result.rawCeiling.natsAdapterPublishMsgPerS} msg/s alone (Kafka -> NATS : adapter publish = ${result.ratios.kafkaToNatsToNatsAdapter}). Throughput is the bridge draining backlogs with nothing else running; latency runs from each message's scheduled send time (open loop) to its arrival at a consumer on the other side, and "direct" publishes to the destination and consumes it there, so the added latency (difference of the percentiles) is what the source log and the bridge cost. Raw figures: \`bench/results/bridge.json\`.`,
  );
  progress(`wrote ${file} and bench/README.md`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await bridge?.stop('SIGKILL');
  await nc?.close();
  await nats?.close();
  await kafka?.close();
  const cleanup = await connectNats(natsUrl, `bench-bridge-cleanup-${run}`);
  await (await cleanup.jetstreamManager()).streams.delete(stream).catch(() => undefined);
  await cleanup.close();
  const admin = createKafka({
    brokers: kafkaBrokers,
    clientId: `bench-bridge-cleanup-${run}`,
    logger,
  }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: ['n2k', 'k2n', 'direct'].map(topic) }).catch(() => undefined);
  await admin.disconnect();
}
