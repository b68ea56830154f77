import { randomBytes } from 'node:crypto';
import { createRedis, createServiceContext, listen, loadConfig } from '@platform/kit';
import {
  createAnalyticsQueries,
  migrate as migrateAnalytics,
  openAnalyticsStore,
} from '@platform/analytics';
import { bullConnection, QueueTrainingTrigger } from '@platform/ml/serving';
import { streams, streamSpec, topics } from '@platform/contracts';
import { createElasticClient, ElasticSearchIndex } from '@platform/search';
import { createKafkaLog, createNatsLog, KafkaPublisherThread } from '@platform/kit/messaging';
import { createKysely, createPgDatabase } from '@platform/kit/sql';
import { createApp } from './app.js';
import { coreApiConfigSchema } from './config.js';
import { startCoreServices } from './core-services.js';
import type { Database } from './db/schema.js';
import { InteractionService } from './interactions/interaction.service.js';
import { redisStores } from './rate-limit/rate-limit.js';

/** Composition root of core-api in production mode (`npm run start:core-api`). */
const config = loadConfig(coreApiConfigSchema);
const ctx = createServiceContext('core-api', config.LOG_LEVEL);

const sqlDb = createPgDatabase({
  url: config.DATABASE_URL,
  maxConnections: config.DATABASE_POOL_SIZE,
  minConnections: config.DATABASE_POOL_MIN,
  logger: ctx.logger,
  applicationName: 'core-api',
});
ctx.shutdown.add('database', () => sqlDb.close());
// Before taking traffic: the first burst must not wait for connections to be made.
await sqlDb.open();
const db = createKysely<Database>(sqlDb);

const redis = createRedis(config.REDIS_URL);
ctx.shutdown.add('redis', async () => void (await redis.quit()));

if (!config.JWT_SECRET) {
  ctx.logger.warn(
    'JWT_SECRET is not set: using a random key, so tokens are valid on this process only',
  );
}

// JetStream for domain messages (outbox relay out, live updates in); Kafka for interactions.
const natsLog = await createNatsLog({
  url: config.NATS_URL,
  name: 'core-api',
  streams: [streamSpec(streams.platform), streamSpec(streams.ml)],
  logger: ctx.logger,
});
ctx.shutdown.add('nats', () => natsLog.close());
const kafkaOptions = {
  brokers: config.KAFKA_BROKERS,
  clientId: 'core-api',
  logger: ctx.logger,
  topics: [{ name: topics.interactions, partitions: 6 }],
};
const kafkaLog = config.INTERACTIONS_THREAD
  ? await KafkaPublisherThread.start({ ...kafkaOptions, service: 'core-api' })
  : await createKafkaLog(kafkaOptions);
ctx.shutdown.add('kafka', () => kafkaLog.close());
const interactions = new InteractionService({ log: kafkaLog, metrics: ctx.metrics });
// Runs before the producer closes (hooks run last-registered first), after the server stops.
ctx.shutdown.add('interactions', () => interactions.drain());

const analyticsStore = await openAnalyticsStore({
  kind: 'clickhouse',
  url: config.CLICKHOUSE_URL,
  username: config.CLICKHOUSE_USER,
  password: config.CLICKHOUSE_PASSWORD,
  database: config.CLICKHOUSE_DATABASE,
});
ctx.shutdown.add('analytics store', () => analyticsStore.close());
// Idempotent, and safe alongside the analytics process doing the same.
await migrateAnalytics(analyticsStore);

const elastic = createElasticClient(config.ELASTICSEARCH_URL);
ctx.shutdown.add('elasticsearch', () => elastic.close());
const search = new ElasticSearchIndex({ client: elastic, alias: 'events' });
await search.ensureIndex();

const { live, recommendations } = await startCoreServices(ctx, {
  sql: sqlDb,
  db,
  natsLog,
  analyticsStore,
  rankingThread: config.RANKING_THREAD,
});
// Retraining requests go to the ml process's BullMQ queue.
const training = new QueueTrainingTrigger(bullConnection(config.REDIS_URL));
ctx.shutdown.add('training queue', () => training.close());
const app = createApp({
  sql: sqlDb,
  db,
  logger: ctx.logger,
  metrics: ctx.metrics,
  jwtSecret: config.JWT_SECRET ?? randomBytes(32).toString('hex'),
  adminEmails: config.ADMIN_EMAILS,
  cookieSecure: config.COOKIE_SECURE,
  rateLimits: { enabled: config.RATE_LIMIT, stores: redisStores(redis) },
  live,
  interactions,
  analytics: createAnalyticsQueries({ store: analyticsStore }),
  search,
  recommendations,
  training,
});
await listen(app, {
  port: config.PORT,
  host: config.HOST,
  logger: ctx.logger,
  shutdown: ctx.shutdown,
});
