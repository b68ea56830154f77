import { migrate as migrateAnalytics, openAnalyticsStore } from '@platform/analytics';
import { topics } from '@platform/contracts';
import {
  createKafka,
  createRedis,
  createServiceContext,
  kafkaReady,
  loadConfig,
  startOpsServer,
} from '@platform/kit';
import { createKafkaLog } from '@platform/kit/messaging';
import { createPgDatabase } from '@platform/kit/sql';
import { mlConfigSchema } from './config.js';
import { runTraining } from './jobs/training.pipeline.js';
import { bullConnection, QueueTrainingWorker } from './jobs/training.scheduler.js';
import { createTrainingMetrics, recordOfflineMetrics } from './jobs/training.metrics.js';
import { ModelRegistry } from './registry/model.registry.js';

/**
 * Composition root of the ML trainer (`npm run start:ml`): a BullMQ worker for the
 * `ml-training` queue (scheduled hourly by default, or `POST /v1/admin/ml/retrain`), training
 * from PostgreSQL and ClickHouse, promoting through the registry and announcing on Kafka.
 */
const config = loadConfig(mlConfigSchema);
const ctx = createServiceContext('ml', config.LOG_LEVEL);

const db = createPgDatabase({
  url: config.DATABASE_URL,
  maxConnections: 4,
  logger: ctx.logger,
  applicationName: 'ml',
});
ctx.shutdown.add('database', () => db.close());
const redis = createRedis(config.REDIS_URL);
ctx.shutdown.add('redis', async () => void (await redis.quit()));
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'ml', logger: ctx.logger });
const kafkaLog = await createKafkaLog({
  brokers: config.KAFKA_BROKERS,
  clientId: 'ml-producer',
  logger: ctx.logger,
  topics: [{ name: topics.models, partitions: 1 }],
});
ctx.shutdown.add('kafka', () => kafkaLog.close());
const analytics = await openAnalyticsStore({
  kind: 'clickhouse',
  url: config.CLICKHOUSE_URL,
  username: config.CLICKHOUSE_USER,
  password: config.CLICKHOUSE_PASSWORD,
  database: config.CLICKHOUSE_DATABASE,
});
ctx.shutdown.add('analytics store', () => analytics.close());
await migrateAnalytics(analytics);

const metrics = createTrainingMetrics(ctx.metrics);
metrics.inProgress.set(0);
const registry = new ModelRegistry(db);
// Before migrations have run the registry is missing: training runs then fail and are retried.
const live = await registry.liveSummary().catch((err: unknown) => {
  ctx.logger.warn({ err }, 'model registry unavailable (migrations not run yet?)');
  return null;
});
const abandoned = await registry
  .failAbandoned('the trainer stopped during the run', 2)
  .catch(() => 0);
if (abandoned > 0) ctx.logger.warn({ abandoned }, 'marked abandoned training runs failed');
if (live) {
  metrics.liveVersion.set(live.version);
  if (live.metrics) recordOfflineMetrics(metrics, 'live', live.metrics.candidate);
}

const worker = new QueueTrainingWorker({
  connection: bullConnection(config.REDIS_URL),
  cron: config.ML_TRAIN_CRON,
  logger: ctx.logger,
  run: (onProgress) =>
    runTraining(
      {
        db,
        analytics,
        log: kafkaLog,
        logger: ctx.logger,
        metrics,
        settings: {
          factors: config.ML_FACTORS,
          iterations: config.ML_ITERATIONS,
          promotionMargin: config.ML_PROMOTION_MARGIN,
        },
      },
      onProgress,
    ),
});
await worker.start({ trainNow: config.ML_TRAIN_ON_START && live === null });
ctx.shutdown.add('training worker', () => worker.stop());

await startOpsServer(ctx, {
  port: config.PORT,
  host: config.HOST,
  readiness: [
    { name: 'database', check: () => db.query('SELECT 1') },
    { name: 'redis', check: () => redis.ping() },
    { name: 'kafka', check: () => kafkaReady(kafka) },
  ],
});
