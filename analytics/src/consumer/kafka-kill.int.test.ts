import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { deadLetterTopic } from '@platform/contracts';
import { createKafka, localDefaults } from '@platform/kit';
import { createKafkaLog, type MessageLog } from '@platform/kit/messaging';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../store/migration.runner.js';
import { deadLetteredIds, publishAll, readAll, readUntilIdle } from '../testing/pipeline.js';
import { readStoredAggregates } from '../testing/stored-aggregates.js';
import { generateStream } from '../testing/stream.generator.js';
import { openTestStore, type TestStore } from '../testing/test-stores.js';
import { recomputeOffline } from './offline.recompute.js';

const brokers = (process.env.KAFKA_BROKERS ?? localDefaults.kafkaBrokers.join(',')).split(',');
const clickhouseUrl = process.env.CLICKHOUSE_URL ?? localDefaults.clickhouseUrl;
const script = fileURLToPath(new URL('../testing/consumer.process.ts', import.meta.url));
const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The integration variant of the replay test: the real stream processor (the production wiring,
 * `startAnalyticsService`) in its own process, on real Kafka and the real ClickHouse server,
 * killed with SIGKILL twice mid-run and restarted; afterwards every aggregate equals the offline
 * recomputation from the topics. Topics, group and database are this run's own.
 */
describe('kill -9 of the stream processor on Kafka and ClickHouse', () => {
  const prefix = `analytics-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  const names = { interactions: `${prefix}.interactions`, domain: `${prefix}.domain` };
  const group = `${prefix}-group`;
  let log: MessageLog;
  let t: TestStore;
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    t = await openTestStore('clickhouse');
    await migrate(t.store);
    log = await createKafkaLog({
      brokers,
      clientId: 'analytics-kill-test',
      logger,
      topics: [
        { name: names.interactions, partitions: 4 },
        { name: names.domain, partitions: 2 },
        { name: deadLetterTopic(names.interactions), partitions: 1 },
        { name: deadLetterTopic(names.domain), partitions: 1 },
      ],
    });
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await log?.close();
    await t?.drop();
    const admin = createKafka({ brokers, clientId: 'analytics-kill-test', logger }).admin();
    await admin.connect();
    await admin
      .deleteTopics({
        topics: [...Object.values(names), ...Object.values(names).map(deadLetterTopic)],
      })
      .catch(() => undefined);
    await admin.deleteGroups([group]).catch(() => undefined);
    await admin.disconnect();
  });

  const start = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: {
        ...process.env,
        CLICKHOUSE_URL: clickhouseUrl,
        CLICKHOUSE_DATABASE: t.store.database,
        KAFKA_BROKERS: brokers.join(','),
        TEST_GROUP: group,
        TEST_TOPIC_PREFIX: prefix,
        ANALYTICS_MAX_BATCH: '500',
        ANALYTICS_KAFKA_SESSION_TIMEOUT_MS: '6000',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code, signal) => {
        children.delete(child);
        resolve(signal ? null : code);
      }),
    );
    return { child, exited };
  };

  const progressRows = async () => {
    const [row] = await t.store.query<{ n: number }>('SELECT count() AS n FROM consumer_progress');
    return Number(row!.n);
  };

  it('after SIGKILLs mid-run and restarts, every aggregate equals the offline recomputation', async () => {
    const stream = generateStream({
      seed: 7,
      interactions: 40_000,
      // Many bursts of 2-hour-old records: a restart that resumed inside one without restoring
      // the partition's watermark would count records the first pass dropped.
      burstRate: 0.005,
      burstSize: 100,
      impressionListRate: 0.2,
      topics: names,
    });
    const ends = await publishAll(log, [...stream.domain, ...stream.interactions], 5_000);

    // Three processes are killed once they have written some batches: at that moment they are
    // almost always inside one (inserting, or between the insert and the offset commit).
    const atKill: number[] = [];
    for (const after of [3, 25, 60]) {
      const { child, exited } = start();
      const deadline = Date.now() + 60_000;
      while ((await progressRows()) < after) {
        if (Date.now() > deadline) throw new Error('the consumer made no progress');
        await sleep(20);
      }
      child.kill('SIGKILL');
      expect(await exited).toBeNull();
      atKill.push(await progressRows());
    }

    const last = start();
    const admin = createKafka({ brokers, clientId: 'analytics-kill-test', logger }).admin();
    await admin.connect();
    try {
      const caughtUp = async () => {
        const committed = await admin.fetchOffsets({
          groupId: group,
          topics: Object.values(names),
        });
        return committed.every(({ topic, partitions }) =>
          partitions.every((p) => BigInt(p.offset) >= (ends.get(`${topic}:${p.partition}`) ?? 0n)),
        );
      };
      const deadline = Date.now() + 120_000;
      while (!(await caughtUp())) {
        if (Date.now() > deadline) throw new Error('the consumer did not catch up');
        await sleep(200);
      }
    } finally {
      await admin.disconnect();
    }
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    // Every kill hit a consumer that was still working through the topics.
    const finalRows = await progressRows();
    expect(atKill[0]!).toBeLessThan(atKill[1]!);
    expect(atKill[1]!).toBeLessThan(atKill[2]!);
    expect(atKill[2]!).toBeLessThan(finalRows);

    const offline = recomputeOffline(
      await readAll(log, Object.values(names), ends, `${prefix}-reader`),
      { topics: names },
    );
    const stored = await readStoredAggregates(t.store);
    expect(offline.windows.size).toBeGreaterThan(500);
    expect(stored.windows).toEqual(offline.windows);
    expect(offline.late.size).toBeGreaterThan(100);
    expect(stored.late).toEqual(offline.late);
    expect(stored.registrations).toEqual(offline.registrations);

    // Kafka keeps no message ids: a redelivered batch's dead letters may be there twice, but
    // every too-late interaction is there.
    const dead = await readUntilIdle(log, [deadLetterTopic(names.interactions)], 2_000);
    const deadLate = deadLetteredIds(dead, 'too late');
    expect(deadLate).toEqual(offline.late);
  }, 300_000);
});
