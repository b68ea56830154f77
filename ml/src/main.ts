import {
  createKafka,
  createRedis,
  createServiceContext,
  kafkaReady,
  loadConfig,
  startOpsServer,
} from '@platform/kit';
import { createPgDatabase } from '@platform/kit/sql';
import { mlConfigSchema } from './config.js';
import { createTrainingMetrics } from './jobs/training.metrics.js';

/** Composition root of the ML trainer (`npm run start:ml`). */
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
const trainingMetrics = createTrainingMetrics(ctx.metrics);
trainingMetrics.inProgress.set(0);

await startOpsServer(ctx, {
  port: config.PORT,
  host: config.HOST,
  readiness: [
    { name: 'database', check: () => db.query('SELECT 1') },
    { name: 'redis', check: () => redis.ping() },
    { name: 'kafka', check: () => kafkaReady(kafka) },
  ],
});
