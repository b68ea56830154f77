import { randomBytes } from 'node:crypto';
import { migrate } from '@platform/analytics';
import { openTestStore, type TestStore } from '@platform/analytics/testing';
import { startBridge, loadMappingsFile, type Bridge } from '@platform/bridge';
import { streams, streamSpec, topics } from '@platform/contracts';
import { createLogger, createMetricsRegistry, localDefaults } from '@platform/kit';
import { createKafkaLog, createNatsLog, type MessageLog } from '@platform/kit/messaging';
import {
  bullConnection,
  createTrainingMetrics,
  ModelRegistry,
  QueueTrainingTrigger,
  QueueTrainingWorker,
  runTraining,
} from '@platform/ml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../testing/harness.js';
import { plantWorld } from './planted.fixture.js';
import { RecommendationEngine } from './recommendation.engine.js';

/**
 * Training as production runs it, against the real servers: BullMQ on Redis schedules and
 * deduplicates runs and retries a failed one with backoff; the run reads PostgreSQL and
 * ClickHouse; promotion goes out on Kafka `ml.models.v1`, through the bridge to NATS
 * `ml.model.promoted`, and a serving engine swaps the model in without being asked.
 */
describe('training pipeline on the real servers', () => {
  const logger = createLogger({ service: 'training-int', level: 'silent' });
  const run = randomBytes(4).toString('hex');
  const connection = bullConnection(process.env.REDIS_URL ?? localDefaults.redisUrl);
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let clickhouse: TestStore;
  let kafka: MessageLog;
  let nats: MessageLog;
  let bridge: Bridge;
  let engine: RecommendationEngine;
  let worker: QueueTrainingWorker;
  let trigger: QueueTrainingTrigger;
  const metrics = createMetricsRegistry('training-int');
  const trainingMetrics = createTrainingMetrics(metrics);
  let failNextAnalyticsQuery = false;

  beforeAll(async () => {
    database = await freshDatabase('postgres');
    await plantWorld(database.sql);
    clickhouse = await openTestStore('clickhouse');
    await migrate(clickhouse.store);
    kafka = await createKafkaLog({
      brokers: process.env.KAFKA_BROKERS?.split(',') ?? [...localDefaults.kafkaBrokers],
      clientId: `training-int-${run}`,
      logger,
      topics: [{ name: topics.models, partitions: 1 }],
    });
    nats = await createNatsLog({
      url: process.env.NATS_URL ?? localDefaults.natsUrl,
      name: `training-int-${run}`,
      streams: [streamSpec(streams.ml)],
      logger,
    });
    // Only the Kafka -> NATS model mapping, under this run's own consumer group.
    const defaults = loadMappingsFile();
    bridge = await startBridge({
      nats,
      kafka,
      logger,
      metrics,
      mappings: {
        ...defaults,
        settings: { ...defaults.settings, name: `training-int-${run}` },
        natsToKafka: [],
      },
    });
    engine = new RecommendationEngine({
      sql: database.sql,
      log: nats,
      logger,
      metrics,
      // Only the NATS announcement can make it swap within this test.
      options: { modelPollMs: 3_600_000 },
    });
    await engine.start();
    const analytics = clickhouse.store;
    worker = new QueueTrainingWorker({
      connection,
      queueName: `ml-training-it-${run}`,
      cron: '*/30 * * * *',
      backoffMs: 200,
      logger,
      run: (onProgress) =>
        runTraining(
          {
            db: database.sql,
            analytics: {
              ...analytics,
              query: async (sql, params) => {
                if (failNextAnalyticsQuery) {
                  failNextAnalyticsQuery = false;
                  throw new Error('ClickHouse went away');
                }
                return analytics.query(sql, params);
              },
            },
            log: kafka,
            logger,
            metrics: trainingMetrics,
            settings: { factors: 16, iterations: 8 },
          },
          onProgress,
        ),
    });
    await worker.start();
    trigger = new QueueTrainingTrigger(connection, {
      queueName: `ml-training-it-${run}`,
      backoffMs: 200,
    });
  }, 120_000);

  afterAll(async () => {
    await trigger?.close();
    await worker?.queue.obliterate({ force: true }).catch(() => {});
    await worker?.stop();
    await engine?.stop();
    await bridge?.stop();
    await nats?.close();
    await kafka?.close();
    await clickhouse?.drop();
    await database?.drop();
  });

  it('registers the repeatable schedule', async () => {
    const schedulers = await worker.queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.pattern])).toEqual([
      ['scheduled-retrain', '*/30 * * * *'],
    ]);
  });

  it('runs one training per trigger burst and every serving instance swaps to the promoted model', async () => {
    const first = await trigger.trigger('test');
    const second = await trigger.trigger('test');
    expect(second.jobId).toBe(first.jobId);
    const registry = new ModelRegistry(database.sql);
    await expect
      .poll(() => registry.liveVersion(), { timeout: 90_000, interval: 250 })
      .not.toBeNull();
    const live = await registry.liveVersion();
    // The swap comes from ml.models.v1 -> bridge -> ml.model.promoted, not from a poll.
    await expect.poll(() => engine.modelVersion, { timeout: 30_000, interval: 100 }).toBe(live);
    const runs = await registry.list(10);
    expect(runs.filter((r) => r.status !== 'failed')).toHaveLength(1);
    expect(await trigger.isTraining()).toBe(false);
  }, 150_000);

  it('retries a failed run with backoff and shows the failure', async () => {
    const registry = new ModelRegistry(database.sql);
    const before = await registry.liveVersion();
    failNextAnalyticsQuery = true;
    const { jobId } = await trigger.trigger('test');
    await expect
      .poll(async () => (await worker.queue.getJob(jobId))?.finishedOn ?? null, {
        timeout: 90_000,
        interval: 250,
      })
      .not.toBeNull();
    const job = await worker.queue.getJob(jobId);
    expect(job?.attemptsMade).toBe(2);
    // The first attempt's error stays on the job; the second attempt completed it.
    expect(job?.failedReason).toBe('ClickHouse went away');
    expect(await job?.isCompleted()).toBe(true);
    const runs = await registry.list(10);
    const failed = runs.find((r) => r.status === 'failed');
    expect(failed?.reason).toBe('ClickHouse went away');
    const failedRuns = (await trainingMetrics.runs.get()).values.find(
      (v) => v.labels.outcome === 'failed',
    );
    expect(failedRuns?.value).toBe(1);
    // The retry trained again; a model at least as good goes live.
    expect(await registry.liveVersion()).toBeGreaterThan(before!);
  }, 150_000);
});
