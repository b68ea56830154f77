import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AnalyticsConsumer,
  createAnalyticsQueries,
  createConsumerMetrics,
  migrate as migrateAnalytics,
  openAnalyticsStore,
} from '@platform/analytics';
import {
  createTrainingMetrics,
  InProcessTrainingScheduler,
  ModelRegistry,
  runTraining,
} from '@platform/ml';
import { topics } from '@platform/contracts';
import { startBridge } from '@platform/bridge';
import { EmbeddedSearchIndex, loadFromDatabase, SearchIndexer } from '@platform/search';
import { createServiceContext, listen, loadConfig } from '@platform/kit';
import { createMemoryLog } from '@platform/kit/messaging';
import {
  createKysely,
  createPgDatabase,
  createPgliteDatabase,
  migrateToLatest,
} from '@platform/kit/sql';
import { createApp } from './app.js';
import { embeddedConfigSchema } from './config.js';
import { startCoreServices } from './core-services.js';
import { migrations } from './db/migrations/index.js';
import type { Database } from './db/schema.js';
import { InteractionService } from './interactions/interaction.service.js';
import { memoryStores } from './rate-limit/rate-limit.js';
import { DEMO_ACCOUNTS, seedDemoData } from './seed/demo-data.js';

/**
 * Composition root of embedded mode (`npm start`): the whole platform in one process, each
 * outside system replaced by its embedded adapter, data under DATA_DIR.
 */
const config = loadConfig(embeddedConfigSchema);
const ctx = createServiceContext('platform', config.LOG_LEVEL);
const dataDir = path.resolve(config.DATA_DIR);
mkdirSync(dataDir, { recursive: true });

const sqlDb = config.DATABASE_URL
  ? createPgDatabase({ url: config.DATABASE_URL, logger: ctx.logger, applicationName: 'platform' })
  : await createPgliteDatabase({ dataDir: path.join(dataDir, 'pglite') });
ctx.shutdown.add('database', () => sqlDb.close());
await migrateToLatest(sqlDb, migrations, { logger: ctx.logger });
const db = createKysely<Database>(sqlDb);

// The two message logs, in memory: the NATS side (subjects, one order) and the Kafka side.
const natsLog = createMemoryLog({ partitions: 1, logger: ctx.logger });
const kafkaLog = createMemoryLog({ logger: ctx.logger });
ctx.shutdown.add('message logs', async () => {
  await natsLog.close();
  await kafkaLog.close();
});

// The bridge, between the two in-memory logs, with the same mappings as in production.
const bridge = await startBridge({
  nats: natsLog,
  kafka: kafkaLog,
  logger: ctx.logger,
  metrics: ctx.metrics,
});
ctx.shutdown.add('bridge', () => bridge.stop());

// Analytics: ClickHouse in-process (chdb), fed from the in-memory Kafka side.
const analyticsStore = await openAnalyticsStore({
  kind: 'chdb',
  path: path.join(dataDir, 'chdb'),
  database: 'platform',
});
ctx.shutdown.add('analytics store', () => analyticsStore.close());
await migrateAnalytics(analyticsStore);
const analyticsConsumer = new AnalyticsConsumer({
  log: kafkaLog,
  store: analyticsStore,
  logger: ctx.logger,
  metrics: createConsumerMetrics(ctx.metrics),
  options: {
    group: 'analytics',
    topics: { interactions: topics.interactions, domain: topics.domain },
  },
});
await analyticsConsumer.start();
ctx.shutdown.add('analytics consumer', () => analyticsConsumer.stop());

if (config.SEED) await seedDemoData(db, { logger: ctx.logger });

// Search: an in-process index built from the database, then kept current from the messages.
const search = new EmbeddedSearchIndex();
ctx.logger.info({ events: await loadFromDatabase(search, sqlDb) }, 'search index loaded');
const indexer = new SearchIndexer({
  log: kafkaLog,
  index: search,
  topics: [topics.domain],
  logger: ctx.logger,
  metrics: ctx.metrics,
});
await indexer.start();
ctx.shutdown.add('search indexer', () => indexer.stop());

const { live, recommendations } = await startCoreServices(ctx, {
  sql: sqlDb,
  db,
  natsLog,
  analyticsStore,
  rankingThread: config.RANKING_THREAD,
});

// Recommendations: training on an in-process schedule (the first run at once when no model is
// live yet), promotion through the in-memory Kafka -> bridge -> NATS path, swapped in place.
const interactions = new InteractionService({ log: kafkaLog, metrics: ctx.metrics });
// Before the analytics consumer and the logs stop (hooks run last-registered first).
ctx.shutdown.add('interactions', () => interactions.drain());
const trainingMetrics = createTrainingMetrics(ctx.metrics);
const training = new InProcessTrainingScheduler({
  cron: config.ML_TRAIN_CRON,
  logger: ctx.logger,
  run: (onProgress) =>
    runTraining(
      {
        db: sqlDb,
        analytics: analyticsStore,
        log: kafkaLog,
        logger: ctx.logger,
        metrics: trainingMetrics,
      },
      onProgress,
    ),
});
training.start({ trainNow: (await new ModelRegistry(sqlDb).liveVersion()) === null });
ctx.shutdown.add('training', () => training.stop());
const webRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));
const app = createApp({
  sql: sqlDb,
  db,
  logger: ctx.logger,
  metrics: ctx.metrics,
  jwtSecret: config.JWT_SECRET ?? persistentSecret(path.join(dataDir, 'jwt-secret')),
  adminEmails: config.ADMIN_EMAILS,
  cookieSecure: config.COOKIE_SECURE,
  rateLimits: { enabled: config.RATE_LIMIT, stores: memoryStores },
  webRoot,
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
const url = `http://localhost:${config.PORT}`;
process.stdout.write(
  `\n  Events platform running at ${url}  (API docs: ${url}/docs)\n` +
    `  Demo login: ${DEMO_ACCOUNTS.user.email} / ${DEMO_ACCOUNTS.user.password}` +
    `   Admin: ${DEMO_ACCOUNTS.admin.email} / ${DEMO_ACCOUNTS.admin.password}\n\n`,
);

/** A random key kept in the data directory, so sessions survive a restart. */
function persistentSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
