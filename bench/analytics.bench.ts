/**
 * `npm run bench:analytics`: the analytics stream processor against the real Kafka and the
 * ClickHouse server on this machine (needs `npm run services:up`).
 *
 * 1. Backlog: 1.8 million interactions of about 300 bytes JSON are produced to a topic of this
 *    run's own (4 partitions); the stream processor (the production wiring, in a child process,
 *    the same script the kill -9 test uses) drains them through the windows into ClickHouse.
 *    Sustained events/s is measured between 10% and 90% of the backlog, from the group's
 *    committed offsets, which move only after ClickHouse has the data. Peak RSS of the child.
 * 2. Reference in the same run: a bare kafkajs consumer (eachBatch, no processing) reads the same
 *    backlog; the processor's rate over it is the ceiling ratio.
 * 3. Freshness: 200,000 more interactions produced live at a fixed rate while the processor
 *    runs; every 100 ms one of them is a probe with an event id of its own, and a poller looks
 *    for each probe's row in the one-minute window table. Freshness = first seen - produced.
 * Finally the one-minute table is checked to hold every interaction exactly once.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  createClickHouseStore,
  encodeInteractions,
  migrate,
  parseInteractionMessage,
} from '@platform/analytics';
import { createKafka, localDefaults, seededRandom } from '@platform/kit';
import { createKafkaLog, type OutgoingMessage } from '@platform/kit/messaging';
import pino from 'pino';
import {
  describeMachine,
  machine,
  percentile,
  progress,
  round,
  updateReadme,
  writeResult,
} from './lib/report.js';
import { processCpuSeconds, processPeakRssMiB } from './lib/load.js';

// BENCH_BACKLOG / BENCH_LIVE shrink the run for a quick look; the published figures use these.
// BENCH_PROFILE_DIR: the processor writes a V8 CPU profile there (`node --cpu-prof`) when it exits.
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 1_800_000);
const LIVE = Number(process.env.BENCH_LIVE ?? 200_000);
const LIVE_RATE = 10_000;
const PROBE_EVERY_MS = 100;
const PARTITIONS = 4;
const MAX_BATCH = 30_000;
const WINDOW_S = 60;
const DELAY_S = 10;

const brokers = (process.env.KAFKA_BROKERS ?? localDefaults.kafkaBrokers.join(',')).split(',');
const clickhouseUrl = process.env.CLICKHOUSE_URL ?? localDefaults.clickhouseUrl;
const logger = pino({ level: 'warn' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const prefix = `bench-analytics-${run}`;
const names = { interactions: `${prefix}.interactions`, domain: `${prefix}.domain` };
const group = `${prefix}-group`;
const database = `bench_analytics_${run}`;
const script = fileURLToPath(
  new URL('../analytics/src/testing/consumer.process.ts', import.meta.url),
);

// A realistic interaction: ids are UUIDv7, about 300 bytes of JSON each.
const random = seededRandom(2024);
const hex = (n: number) =>
  Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
const uuid = (time: number) => {
  const ts = time.toString(16).padStart(12, '0');
  return `${ts.slice(0, 8)}-${ts.slice(8)}-7${hex(3)}-${'89ab'[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
};
const events = Array.from({ length: 2_000 }, () => uuid(Date.now() - 86_400_000));
const users = Array.from({ length: 100_000 }, () => uuid(Date.now() - 86_400_000));
const types = ['impression', 'impression', 'impression', 'view', 'view', 'click', 'share'];
const encoder = new TextEncoder();

function interaction(now: number, eventId?: string): OutgoingMessage {
  const signedIn = random() < 0.7;
  const user = users[Math.floor(random() * users.length)]!;
  const sessionId = `s-${user.slice(-12)}-${hex(8)}`;
  const body = {
    id: uuid(now),
    type: eventId ? 'view' : types[Math.floor(random() * types.length)],
    eventId: eventId ?? events[Math.floor(random() * events.length)],
    query: null,
    position: Math.floor(random() * 50),
    resultCount: null,
    occurredAt: new Date(now - Math.floor(random() * 2_000)).toISOString(),
    receivedAt: new Date(now).toISOString(),
    sessionId,
    userId: signedIn ? user : null,
  };
  return {
    topic: names.interactions,
    key: body.userId ?? sessionId,
    value: encoder.encode(JSON.stringify(body)),
    headers: {},
  };
}

const admin = createKafka({ brokers, clientId: 'bench-analytics', logger }).admin();
await admin.connect();
const log = await createKafkaLog({
  brokers,
  clientId: 'bench-analytics',
  logger,
  topics: [
    { name: names.interactions, partitions: PARTITIONS },
    { name: names.domain, partitions: 1 },
    { name: `${names.interactions}.dlq`, partitions: 1 },
  ],
});
const store = await createClickHouseStore({ url: clickhouseUrl, database });
await migrate(store);
const version = await store.serverVersion();

const committed = async (topic: string) => {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return offsets!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
};

const CEILING_ROWS = 300_000;

/**
 * Reference: how fast ClickHouse itself takes the processor's raw rows. The rows are parsed and
 * encoded by the processor's own code before the clock starts, then inserted into the raw table
 * of a database of their own in batches of MAX_BATCH, two in flight, as the processor does.
 */
async function clickhouseIngestCeiling(): Promise<number> {
  const ceiling = await createClickHouseStore({
    url: clickhouseUrl,
    database: `${database}_ceiling`,
  });
  try {
    await migrate(ceiling);
    const now = Date.now();
    const batches: ReturnType<typeof encodeInteractions>[] = [];
    for (let start = 0; start < CEILING_ROWS; start += MAX_BATCH) {
      const rows = [];
      for (let i = start; i < Math.min(CEILING_ROWS, start + MAX_BATCH); i++) {
        const parsed = parseInteractionMessage(interaction(now).value);
        if (parsed.kind !== 'interactions') throw new Error('generated interaction did not parse');
        for (const one of parsed.interactions)
          rows.push({ parsed: one, source: { partition: 0, offset: String(i) }, late: false });
      }
      batches.push(encodeInteractions(rows));
    }
    const startedAt = performance.now();
    let next = 0;
    await Promise.all(
      [0, 1].map(async () => {
        while (next < batches.length) await ceiling.insert('interactions', batches[next++]!);
      }),
    );
    return CEILING_ROWS / ((performance.now() - startedAt) / 1000);
  } finally {
    await ceiling.close();
  }
}

let child: ReturnType<typeof spawn> | undefined;
// However the bench ends, the processor it started must not outlive it.
process.on('exit', () => child?.kill('SIGKILL'));
try {
  progress(`producing ${BACKLOG.toLocaleString()} interactions to ${names.interactions}`);
  let bytes = 0;
  const produceStart = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < BACKLOG; i += 10_000) {
    const now = Date.now();
    const chunk = Array.from({ length: Math.min(10_000, BACKLOG - i) }, () => interaction(now));
    for (const m of chunk) bytes += m.value.length;
    inFlight.push(log.publish(chunk));
    if (inFlight.length >= 8) await inFlight.shift();
    if (i % 200_000 === 0) progress(`  ${i.toLocaleString()}`);
  }
  await Promise.all(inFlight);
  const produceS = (performance.now() - produceStart) / 1000;
  const meanBytes = bytes / BACKLOG;
  progress(`  ${round(BACKLOG / produceS, 0)} msg/s, ${round(meanBytes, 0)} bytes each`);

  progress('reference: a bare kafkajs consumer (eachBatch, no processing) over the same topic');
  const raw = createKafka({ brokers, clientId: 'bench-analytics-raw', logger }).consumer({
    groupId: `${prefix}-raw`,
    maxWaitTimeInMs: 500,
  });
  await raw.connect();
  await raw.subscribe({ topics: [names.interactions], fromBeginning: true });
  let rawCount = 0;
  let rawFirst = 0;
  let rawLast = 0;
  await raw.run({
    eachBatch: async ({ batch }) => {
      if (rawFirst === 0) rawFirst = performance.now();
      rawCount += batch.messages.length;
      rawLast = performance.now();
    },
  });
  while (rawCount < BACKLOG) await sleep(50);
  await raw.disconnect();
  const rawRate = BACKLOG / ((rawLast - rawFirst) / 1000);
  progress(`  ${round(rawRate, 0)} msg/s`);

  progress('phase 1: the stream processor drains the backlog (child process)');
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  child = spawn(process.execPath, [...profile, '--import', 'tsx', script], {
    env: {
      ...process.env,
      CLICKHOUSE_URL: clickhouseUrl,
      CLICKHOUSE_DATABASE: database,
      KAFKA_BROKERS: brokers.join(','),
      TEST_GROUP: group,
      TEST_TOPIC_PREFIX: prefix,
      ANALYTICS_MAX_BATCH: String(MAX_BATCH),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const pid = child.pid!;
  const samples: { t: number; n: number; cpu: number }[] = [];
  const drainStart = performance.now();
  for (;;) {
    const n = await committed(names.interactions);
    samples.push({ t: performance.now(), n, cpu: processCpuSeconds(pid) });
    if (n >= BACKLOG) break;
    if (performance.now() - drainStart > 20 * 60_000) throw new Error('backlog not drained');
    if (samples.length % 20 === 0) progress(`  ${n.toLocaleString()}/${BACKLOG.toLocaleString()}`);
    await sleep(250);
  }
  const at = (share: number) => samples.find((s) => s.n >= share * BACKLOG)!;
  const p10 = at(0.1);
  const p90 = at(0.9) === p10 ? samples.at(-1)! : at(0.9);
  const sustained = (p90.n - p10.n) / ((p90.t - p10.t) / 1000);
  // The processor's own CPU (every thread, from /proc) over the same stretch.
  const cpuPerEventUs = ((p90.cpu - p10.cpu) / (p90.n - p10.n)) * 1e6;
  const processorCores = (p90.cpu - p10.cpu) / ((p90.t - p10.t) / 1000);
  progress(
    `  sustained ${round(sustained, 0)} events/s (10% -> 90% of the backlog), ${round(cpuPerEventUs, 1)} µs of CPU per event on ${round(processorCores, 2)} cores`,
  );

  progress(`phase 2: ${LIVE.toLocaleString()} live interactions at ${LIVE_RATE}/s with probes`);
  const probes = new Map<string, { producedAt: number; seenAt?: number }>();
  let polling = true;
  // Its failure is awaited below, never left unhandled.
  const poller = (async () => {
    while (polling || [...probes.values()].some((p) => p.seenAt === undefined)) {
      const waiting = [...probes].filter(([, p]) => p.seenAt === undefined).map(([id]) => id);
      if (waiting.length > 0) {
        const rows = await store.query<{ event_id: string }>(
          'SELECT DISTINCT event_id FROM interaction_windows_1m WHERE has({ids:Array(String)}, event_id)',
          { ids: waiting },
        );
        const now = Date.now();
        for (const r of rows) probes.get(r.event_id)!.seenAt = now;
      }
      await sleep(50);
    }
  })().catch((error: unknown) => {
    polling = false;
    throw error;
  });
  poller.catch(() => undefined);
  const liveStart = Date.now();
  let sent = 0;
  let nextProbe = liveStart;
  const sends: Promise<unknown>[] = [];
  while (sent < LIVE) {
    const due = Math.min(LIVE, Math.floor(((Date.now() - liveStart) * LIVE_RATE) / 1000));
    const chunk: OutgoingMessage[] = [];
    const now = Date.now();
    while (sent < due) {
      if (now >= nextProbe) {
        const probe = uuid(now);
        probes.set(probe, { producedAt: now });
        chunk.push(interaction(now, probe));
        nextProbe += PROBE_EVERY_MS;
      } else chunk.push(interaction(now));
      sent++;
    }
    if (chunk.length) sends.push(log.publish(chunk));
    await sleep(5);
  }
  await Promise.all(sends);
  const liveEnd = Date.now();
  while ((await committed(names.interactions)) < BACKLOG + LIVE) await sleep(100);
  polling = false;
  await poller;
  const freshness = [...probes.values()].map((p) => p.seenAt! - p.producedAt).sort((a, b) => a - b);
  const peakRssMiB = processPeakRssMiB(pid);
  child.kill('SIGTERM');
  await new Promise((resolve) => child!.once('exit', resolve));
  child = undefined;

  progress('checking the one-minute table against what was produced');
  const [check] = await store.query<{ interactions: number }>(
    'SELECT uniqExactMerge(interactions) AS interactions FROM interaction_windows_1m',
  );
  const exact = Number(check!.interactions) === BACKLOG + LIVE;

  progress(`ClickHouse alone: ${CEILING_ROWS.toLocaleString()} raw rows, pre-encoded, straight in`);
  const clickhouseRowsPerS = await clickhouseIngestCeiling();

  const ratio = sustained / rawRate;
  const p50 = percentile(freshness, 50);
  const p99 = percentile(freshness, 99);
  const freshnessTargetMs = (WINDOW_S + DELAY_S + 2) * 1000;
  const result = {
    benchmark: 'analytics',
    machine: machine(),
    setup: {
      backlog: BACKLOG,
      live: LIVE,
      liveRatePerS: LIVE_RATE,
      partitions: PARTITIONS,
      maxBatch: MAX_BATCH,
      meanInteractionBytes: round(meanBytes, 0),
      clickhouse: version.text,
      processor: 'analytics/src/testing/consumer.process.ts (startAnalyticsService), child process',
    },
    produce: { messagesPerS: round(BACKLOG / produceS, 0) },
    reference: {
      rawKafkajsConsumePerS: round(rawRate, 0),
      clickhouseRawInsertRowsPerS: round(clickhouseRowsPerS, 0),
    },
    processor: {
      sustainedEventsPerS: round(sustained, 0),
      drainSeconds: round((samples.at(-1)!.t - drainStart) / 1000, 1),
      peakRssMiB: round(peakRssMiB, 0),
      ratioToRawConsume: round(ratio, 3),
      cpuMicrosPerEvent: round(cpuPerEventUs, 1),
      coresUsed: round(processorCores, 2),
    },
    freshness: {
      probes: freshness.length,
      liveSeconds: round((liveEnd - liveStart) / 1000, 1),
      p50Ms: round(p50, 0),
      p99Ms: round(p99, 0),
      maxMs: round(freshness.at(-1)!, 0),
    },
    exactlyOnceCheck: {
      windowInteractions: Number(check!.interactions),
      expected: BACKLOG + LIVE,
      exact,
    },
    targets: {
      eventsPerS: { target: '>= 50000', met: sustained >= 50_000 },
      ratioToRawConsume: { target: '>= 0.6', met: ratio >= 0.6 },
      freshnessP99Ms: { target: `<= ${freshnessTargetMs}`, met: p99 <= freshnessTargetMs },
      exact: { target: 'every interaction counted once', met: exact },
    },
  };
  const file = writeResult('analytics', result);
  updateReadme(
    'analytics',
    `### Analytics: \`npm run bench:analytics\`

Interactions of ${result.setup.meanInteractionBytes} bytes JSON on a ${PARTITIONS}-partition Kafka topic, the stream processor (production wiring, child process, batches of up to ${MAX_BATCH}) writing raw rows and one-minute window states into ClickHouse ${version.text}, everything on one machine: ${describeMachine(result.machine)}. Measured ${result.machine.date.slice(0, 10)}.

| measure | result | target |
|---|---|---|
| sustained events/s, Kafka -> windows -> ClickHouse (${BACKLOG.toLocaleString()} backlog, 10% -> 90%) | ${result.processor.sustainedEventsPerS} | >= 50,000 |
| bare kafkajs consume of the same topic, msg/s | ${result.reference.rawKafkajsConsumePerS} | |
| processor : bare consume | **${result.processor.ratioToRawConsume}** | >= 0.6 |
| ClickHouse alone: raw interaction rows inserted, rows/s (pre-encoded TabSeparated, batches of ${MAX_BATCH}, 2 in flight, nothing else running) | ${result.reference.clickhouseRawInsertRowsPerS} | |
| freshness p50 / p99 / max (ms), produce -> visible in the 1-minute table, ${LIVE.toLocaleString()} live at ${LIVE_RATE.toLocaleString()}/s | ${result.freshness.p50Ms} / ${result.freshness.p99Ms} / ${result.freshness.maxMs} | p99 <= ${freshnessTargetMs} |
| processor CPU per event (µs, every thread, from /proc, 10% -> 90%) and cores it used meanwhile | ${result.processor.cpuMicrosPerEvent} µs on ${result.processor.coresUsed} cores | |
| peak RSS of the processor (MiB) | ${result.processor.peakRssMiB} | |
| every interaction counted once in the 1-minute table | ${exact ? 'yes' : 'NO'} | yes |

Freshness is short because every batch writes its window deltas at once (set states that later batches and late events merge into), rather than holding a window until the watermark closes it.

Where the processor's time goes (V8 CPU profile of the child, \`BENCH_PROFILE_DIR\`, 400,000-interaction run on this machine, wall-clock samples with other work on the cores): about 24 µs of main-thread time per interaction, down from about 76 µs before the hot path was reworked: garbage collection 6.7, JSON decoding and validation 4.0 (a hand check of the shape the platform writes; zod only for the rest), TabSeparated encoding and the HTTP body 5.1, kafkajs decoding 2.6, windows 1.7. A third of the time it waits: for ClickHouse 18.16, whose raw-table INSERT costs several µs per row plus 20-30 ms per statement, and for the next fetch, which kafkajs starts only once every partition of the previous one is handled. Batches of up to ${MAX_BATCH} (one 8 MiB fetch of a partition) and two partitions in flight at once overlap part of that. ${sustained >= 50_000 ? 'The' : 'Why the rate target is missed: the two cores are shared by Kafka, ClickHouse, the processor and the producer, so the processor gets well under one core; the'} bare consumer decodes and drops messages, so 0.6 of it (about ${round((0.6 * rawRate) / 1000, 0)},000 events/s) would take ${round((0.6 * rawRate * cpuPerEventUs) / 1e6, 1)} cores for the processor alone at the ${result.processor.cpuMicrosPerEvent} µs of CPU per event measured above, on a machine of ${result.machine.cores} cores that also runs Kafka and ClickHouse${
      clickhouseRowsPerS < 0.6 * rawRate
        ? `, and ClickHouse ${version.text} alone, given the processor's own encoded rows and nothing else to do, takes ${result.reference.clickhouseRawInsertRowsPerS} rows/s into the raw table: ${round(clickhouseRowsPerS / rawRate, 2)} of the bare consume rate, before the window table, parsing or Kafka get any CPU. The ratio target is beyond this server on this machine`
        : ''
    }. Raw figures: \`bench/results/analytics.json\`.`,
  );
  progress(`wrote ${file} and bench/README.md`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  child?.kill('SIGKILL');
  await log.close();
  await store.command(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
  await store.command(`DROP DATABASE IF EXISTS ${database}_ceiling`).catch(() => undefined);
  await store.close();
  await admin
    .deleteTopics({
      topics: [names.interactions, names.domain, `${names.interactions}.dlq`],
    })
    .catch(() => undefined);
  await admin.deleteGroups([group, `${prefix}-raw`]).catch(() => undefined);
  await admin.disconnect();
}
