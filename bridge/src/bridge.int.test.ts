import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectNats, createKafka, createLogger, localDefaults, newId } from '@platform/kit';
import {
  createKafkaLog,
  createNatsLog,
  type MessageLog,
  type OutgoingMessage,
} from '@platform/kit/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytes,
  collect,
  metricValue,
  registrationConfirmed,
  sleep,
  startBridgeProcess,
  text,
  type BridgeProcess,
  type Collector,
} from './testing/index.js';

/**
 * The bridge process against the real NATS and Kafka from `npm run services:up`. Every run uses
 * its own stream, subjects, topics and groups. A missing server fails the run.
 */
const natsUrl = process.env.NATS_URL ?? localDefaults.natsUrl;
const kafkaBrokers = process.env.KAFKA_BROKERS?.split(',') ?? [...localDefaults.kafkaBrokers];
const logger = createLogger({
  service: 'bridge-int',
  level: (process.env.LOG_LEVEL ?? 'silent') as 'silent',
});
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const run = randomBytes(4).toString('hex');
const name = `bit-${run}`;
const stream = `BRIDGE_IT_${run}`;
const subject = (suffix: string) => `bridge-it.${run}.${suffix}`;
const topic = (suffix: string) => `bridge-it-${run}-${suffix}`;
const window = 1_000;

/**
 * Both directions mapped over the same data: what NATS sends to `out` comes back through the
 * Kafka -> NATS mapping's sources, and what Kafka sends to `n.back` is inside the NATS -> Kafka
 * mapping's filter. Only the origin header keeps each message from crossing back.
 */
const mappingsYaml = `
settings:
  name: ${name}
  batchSize: 250
  window: ${window}
  maxDeliveries: 3
  retry: { initialMs: 50, maxMs: 1000 }
nats:
  streams:
    - { name: ${stream}, subjects: ['bridge-it.${run}.>'], duplicateWindowMs: 120000 }
natsToKafka:
  - name: out
    subjects: ['${subject('n.>')}']
    topic: ${topic('out')}
  - name: domain
    subjects: ['${subject('domain.>')}']
    topic: ${topic('domain')}
    key: { from: payload, field: aggregateId }
    validate: domain
kafkaToNats:
  - name: in
    topics: [${topic('in')}, ${topic('out')}]
    subject: ${subject('n.back')}
    concurrency: 3
`;

const serviceScript = path.join(repoRoot, 'infra/local/services.sh');
/** The only server operations these tests make; async, so the clients here keep running. */
function services(action: 'up' | 'down', server: 'kafka' | 'nats'): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(
      'bash',
      [serviceScript, action, server],
      { timeout: 240_000 },
      (error, _out, stderr) =>
        error
          ? reject(new Error(`services.sh ${action} ${server} failed: ${stderr}`, { cause: error }))
          : resolve(),
    ),
  );
}

describe('bridge process between real NATS JetStream and Kafka', () => {
  let mappingsFile: string;
  let nats: MessageLog;
  let kafka: MessageLog;
  let bridge: BridgeProcess | undefined;
  /** Collectors of what reaches each side, with groups of their own. */
  let onKafka: Collector;
  let onNats: Collector;
  let dead: Collector;
  let onDomain: Collector;

  const env = () => ({
    BRIDGE_MAPPINGS_FILE: mappingsFile,
    NATS_URL: natsUrl,
    KAFKA_BROKERS: kafkaBrokers.join(','),
    // A killed bridge's unacked JetStream messages and Kafka partitions move on sooner.
    BRIDGE_NATS_ACK_WAIT_MS: '3000',
    BRIDGE_KAFKA_SESSION_TIMEOUT_MS: '8000',
  });

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bridge-it-'));
    mappingsFile = path.join(dir, 'mappings.yaml');
    writeFileSync(mappingsFile, mappingsYaml);
    nats = await createNatsLog({
      url: natsUrl,
      name: `bridge-it-${run}`,
      streams: [{ name: stream, subjects: [`bridge-it.${run}.>`], duplicateWindowMs: 120_000 }],
      logger,
    });
    kafka = await createKafkaLog({
      brokers: kafkaBrokers,
      clientId: `bridge-it-${run}`,
      logger,
      topics: ['out', 'in', 'domain', 'domain.dlq'].map((t) => ({ name: topic(t), partitions: 3 })),
    });
    bridge = await startBridgeProcess(env());
    onKafka = await collect(kafka, [topic('out')], `${name}-check-out`);
    onNats = await collect(nats, [subject('n.back')], `${name}-check-back`);
    onDomain = await collect(kafka, [topic('domain')], `${name}-check-domain`);
    dead = await collect(kafka, [topic('domain.dlq')], `${name}-check-dlq`);
  });

  afterAll(async () => {
    await bridge?.stop('SIGKILL');
    for (const c of [onKafka, onNats, onDomain, dead]) await c?.subscription.stop();
    await nats?.close();
    await kafka?.close();
    const nc = await connectNats(natsUrl, `bridge-it-cleanup-${run}`);
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
    const admin = createKafka({
      brokers: kafkaBrokers,
      clientId: `bridge-it-cleanup-${run}`,
      logger,
    }).admin();
    await admin.connect();
    await admin
      .deleteTopics({ topics: ['out', 'in', 'domain', 'domain.dlq'].map(topic) })
      .catch(() => undefined);
    await admin.disconnect();
  });

  /** What reached each side so far: counts per value, and per-key orders. */
  function arrivals() {
    const count = (c: Collector) => {
      const counts = new Map<string, number>();
      for (const v of c.values()) counts.set(v, (counts.get(v) ?? 0) + 1);
      return counts;
    };
    return { kafka: count(onKafka), nats: count(onNats) };
  }

  /**
   * Sends `count` messages each way at about `perSecond`, keyed over 20 keys, each value unique
   * to the phase. NATS publishes carry their value as id, so a retry after a failed publish (NATS
   * down) is dropped as a duplicate; the Kafka adapter retries by itself.
   */
  async function produce(
    phase: string,
    count: number,
    perSecond: number,
    during?: () => Promise<void>,
  ) {
    const toNats: OutgoingMessage[] = [];
    const toKafka: OutgoingMessage[] = [];
    for (let i = 0; i < count; i++) {
      const key = `${phase}-k${i % 20}`;
      toNats.push({
        topic: subject('n.native'),
        key,
        value: bytes(`${phase}:n:${i}`),
        headers: { seq: String(i) },
        id: `${run}:${phase}:n:${i}`,
      });
      toKafka.push({
        topic: topic('in'),
        key,
        value: bytes(`${phase}:k:${i}`),
        headers: { seq: String(i) },
      });
    }
    const chunk = 100;
    const started = Date.now();
    const sending = (async () => {
      for (let i = 0; i < count; i += chunk) {
        const due = started + (i / perSecond) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
        await Promise.all([
          retry(() => nats.publish(toNats.slice(i, i + chunk))),
          retry(() => kafka.publish(toKafka.slice(i, i + chunk))),
        ]);
      }
    })();
    await during?.();
    await sending;
    return { nats: toNats.map((m) => text(m.value)), kafka: toKafka.map((m) => text(m.value)) };
  }

  async function retry<T>(send: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        if (attempt >= 600) throw error;
        await sleep(200);
      }
    }
  }

  /**
   * Waits until every sent value arrived on the other side, then checks: NATS -> Kafka at least
   * once (at most `maxKafkaDuplicates` extra), Kafka -> NATS exactly once, nothing echoed, and
   * each key in order (a redelivery may repeat a stretch, never go back past it).
   */
  async function expectDelivered(
    sent: { nats: string[]; kafka: string[] },
    options: { maxKafkaDuplicates: number; timeout: number },
  ) {
    await expect
      .poll(
        () => {
          const got = arrivals();
          return (
            sent.nats.filter((v) => !got.kafka.has(v)).length +
            sent.kafka.filter((v) => !got.nats.has(v)).length
          );
        },
        { timeout: options.timeout, interval: 250 },
      )
      .toBe(0);
    await sleep(1_000);
    const got = arrivals();
    const kafkaDuplicates = sent.nats.reduce((n, v) => n + (got.kafka.get(v)! - 1), 0);
    expect(kafkaDuplicates).toBeLessThanOrEqual(options.maxKafkaDuplicates);
    expect(sent.kafka.filter((v) => got.nats.get(v) !== 1)).toEqual([]);
    // No echo: nothing from Kafka went back to Kafka, nothing from NATS went back to NATS.
    expect(onKafka.values().filter((v) => v.includes(':k:'))).toEqual([]);
    expect(onNats.values().filter((v) => v.includes(':n:'))).toEqual([]);
    const phase = sent.nats[0]!.split(':')[0]!;
    for (const [side, c] of [
      ['kafka', onKafka],
      ['nats', onNats],
    ] as const)
      for (const [key, values] of c.byKey()) {
        if (!key?.startsWith(`${phase}-`)) continue;
        const seqs = values.map((v) => Number(v.split(':')[2]));
        const firsts = seqs.filter((s, i) => seqs.indexOf(s) === i);
        expect(firsts, `order of ${key} on ${side}`).toEqual([...firsts].sort((a, b) => a - b));
      }
    return { kafkaDuplicates };
  }

  it('forwards both ways at once with key and headers intact, in order per key, and nothing echoed', async () => {
    const sent = await produce('e2e', 2_000, 4_000);
    await expectDelivered(sent, { maxKafkaDuplicates: 0, timeout: 30_000 });

    const toKafka = onKafka.received.find((d) => text(d.value) === 'e2e:n:7')!;
    expect(toKafka.key).toBe('e2e-k7');
    expect(toKafka.headers).toEqual({ seq: '7', origin: `${name}:nats` });
    const toNats = onNats.received.find((d) => text(d.value) === 'e2e:k:7')!;
    expect(toNats.key).toBe('e2e-k7');
    expect(toNats.headers).toEqual({ seq: '7', origin: `${name}:kafka` });
    expect(toNats.id).toMatch(new RegExp(`^${topic('in')}:[0-2]:\\d+$`));

    // Each side's copy reached the other mapping too, which recognised it and let it be.
    const counts = async () => {
      const exposed = await bridge!.metrics();
      return ['out', 'in'].flatMap((mapping) =>
        ['forwarded', 'echo_skipped'].map((outcome) =>
          metricValue(exposed, 'bridge_messages_total', { mapping, outcome }),
        ),
      );
    };
    await expect.poll(counts, { timeout: 15_000 }).toEqual([2_000, 2_000, 2_000, 2_000]);
    const exposed = await bridge!.metrics();
    // Lag is read from JetStream consumer info and Kafka committed offsets.
    expect(exposed).toMatch(
      /bridge_source_lag_messages\{mapping="out",direction="nats-to-kafka"[^}]*\} \d+/,
    );
    expect(exposed).toMatch(
      /bridge_source_lag_messages\{mapping="in",direction="kafka-to-nats"[^}]*\} \d+/,
    );
    const healthz = await fetch(`${bridge!.base}/healthz`);
    expect(healthz.status).toBe(200);
    const readyz = (await (await fetch(`${bridge!.base}/readyz`)).json()) as {
      checks: { name: string; ok: boolean }[];
    };
    expect(readyz.checks).toEqual([
      { name: 'nats', ok: true },
      { name: 'kafka', ok: true },
      { name: 'mappings', ok: true },
    ]);
  });

  it('sends a message that fails schema validation to the dead letters with its reason, and keeps going', async () => {
    const eventId = newId();
    const [first, second] = [registrationConfirmed(eventId, 1), registrationConfirmed(eventId, 2)];
    const broken = { ...registrationConfirmed(eventId, 3), type: 'registration.exploded' };
    await nats.publish(
      [first, broken, second].map((m) => ({
        topic: subject('domain.registration.confirmed'),
        key: null,
        value: bytes(JSON.stringify(m)),
        headers: { traceparent: 'tp' },
      })),
    );
    await expect
      .poll(() => onDomain.values(), { timeout: 15_000 })
      .toEqual([JSON.stringify(first), JSON.stringify(second)]);
    expect(onDomain.received.map((d) => d.key)).toEqual([eventId, eventId]);
    await expect.poll(() => dead.values(), { timeout: 15_000 }).toEqual([JSON.stringify(broken)]);
    expect(dead.received[0]!.headers).toMatchObject({
      traceparent: 'tp',
      'dlq-mapping': 'domain',
      origin: `${name}:nats`,
    });
    expect(dead.received[0]!.headers['dlq-reason']).toMatch(/^not a valid domain message: type/);
  });

  it('loses nothing and duplicates nothing on NATS when the bridge is killed with SIGKILL mid-stream and restarted', async () => {
    const sent = await produce('kill', 20_000, 5_000, async () => {
      await expect
        .poll(() => onNats.values().filter((v) => v.startsWith('kill:')).length, {
          timeout: 20_000,
        })
        .toBeGreaterThan(3_000);
      expect(await bridge!.stop('SIGKILL')).toBe(null);
      logger.info('killed');
      bridge = await startBridgeProcess(env());
      logger.info('restarted');
    });
    logger.info('produced');
    const { kafkaDuplicates } = await expectDelivered(sent, {
      maxKafkaDuplicates: window,
      timeout: 90_000,
    });
    logger.info({ kafkaDuplicates }, 'after SIGKILL');
  }, 180_000);

  it('drains on SIGTERM: exits 0 and the next run sends nothing twice', async () => {
    const sent = await produce('term', 6_000, 4_000, async () => {
      await expect
        .poll(() => onKafka.values().filter((v) => v.startsWith('term:')).length, {
          timeout: 20_000,
        })
        .toBeGreaterThan(1_000);
      expect(await bridge!.stop('SIGTERM')).toBe(0);
      bridge = await startBridgeProcess(env());
    });
    await expectDelivered(sent, { maxKafkaDuplicates: 0, timeout: 60_000 });
  }, 120_000);

  it('loses nothing when the Kafka broker restarts mid-stream', async () => {
    let sent: Awaited<ReturnType<typeof produce>>;
    try {
      sent = await produce('kafka', 10_000, 2_500, async () => {
        await sleep(1_000);
        logger.info('kafka going down');
        await services('down', 'kafka');
        logger.info('kafka is down');
        await sleep(2_000);
        await services('up', 'kafka');
        logger.info('kafka is up');
      });
    } finally {
      await services('up', 'kafka');
    }
    await expectDelivered(sent, { maxKafkaDuplicates: window, timeout: 120_000 });
  }, 300_000);

  it('loses nothing when NATS restarts mid-stream', async () => {
    let sent: Awaited<ReturnType<typeof produce>>;
    try {
      sent = await produce('nats', 10_000, 2_500, async () => {
        await sleep(1_000);
        await services('down', 'nats');
        await sleep(2_000);
        await services('up', 'nats');
      });
    } finally {
      await services('up', 'nats');
    }
    await expectDelivered(sent, { maxKafkaDuplicates: window, timeout: 120_000 });
  }, 300_000);
});
