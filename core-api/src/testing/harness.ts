import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createLogger, createMetricsRegistry, listen, localDefaults } from '@platform/kit';
import {
  createKysely,
  createPgDatabase,
  createPgliteDatabase,
  migrateToLatest,
  type SqlDatabase,
} from '@platform/kit/sql';
import { createAnalyticsQueries, migrate, type AnalyticsQueries } from '@platform/analytics';
import { openTestStore, type TestStore } from '@platform/analytics/testing';
import { EmbeddedSearchIndex } from '@platform/search';
import { createMemoryLog, type MessageLog } from '@platform/kit/messaging';
import { createApp } from '../app.js';
import type { Db } from '../db/db.js';
import { migrations } from '../db/migrations/index.js';
import type { Database } from '../db/schema.js';
import { InteractionService } from '../interactions/interaction.service.js';
import { LiveHub } from '../live/live.hub.js';
import { OutboxRelay } from '../outbox/outbox.relay.js';
import { RecommendationEngine } from '../recommendations/recommendation.engine.js';
import {
  InProcessTrainingScheduler,
  runTraining,
  type TrainingSettings,
  type TrainingTrigger,
} from '@platform/ml';
import { memoryStores, type RateLimitSettings } from '../rate-limit/rate-limit.js';

export type Backend = 'pglite' | 'postgres';

/** A fresh, migrated database: PGlite in memory, or a new database on the real PostgreSQL. */
export async function freshDatabase(
  backend: Backend,
): Promise<{ sql: SqlDatabase; url?: string; drop: () => Promise<void> }> {
  if (backend === 'pglite') {
    const sql = await createPgliteDatabase();
    await migrateToLatest(sql, migrations);
    return { sql, drop: () => sql.close() };
  }
  const adminUrl = process.env.DATABASE_URL ?? localDefaults.databaseUrl;
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = createPgDatabase({ url: adminUrl, maxConnections: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = createPgDatabase({ url: url.toString(), maxConnections: 20 });
  await migrateToLatest(sql, migrations);
  return {
    sql,
    url: url.toString(),
    drop: async () => {
      await sql.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

export interface TestApi {
  base: string;
  db: Db;
  sql: SqlDatabase;
  jwtSecret: string;
  /** The NATS side (in memory): the relay publishes here, the live hub reads here. */
  natsLog: MessageLog;
  /** The Kafka side (in memory): interactions are produced here. */
  kafkaLog: MessageLog;
  recommendations: RecommendationEngine;
  /** The in-process training scheduler behind `POST /v1/admin/ml/retrain` (unless replaced). */
  training: TrainingTrigger;
  close(): Promise<void>;
}

export interface TestApiOptions {
  adminEmails?: string[];
  rateLimits?: Partial<RateLimitSettings>;
  now?: () => Date;
  /** Run the outbox relay (for tests of what reaches NATS: live updates, the relay itself). */
  withRelay?: boolean;
  /** Settings of the training runs `POST /v1/admin/ml/retrain` starts (small and fast in tests). */
  training?: Partial<TrainingSettings>;
}

/** core-api on an ephemeral port over a fresh database, with in-memory message logs. */
export async function startTestApi(
  backend: Backend,
  options: TestApiOptions = {},
): Promise<TestApi> {
  const database = await freshDatabase(backend);
  const db = createKysely<Database>(database.sql);
  const logger = createLogger({ service: 'core-api-test', level: 'silent' });
  const jwtSecret = randomBytes(32).toString('hex');
  const metrics = createMetricsRegistry('core-api-test');
  const natsLog = createMemoryLog({ partitions: 1 });
  const kafkaLog = createMemoryLog();
  const live = new LiveHub({ log: natsLog, logger, metrics });
  await live.start();
  // The analytics store opens on first use only: chdb is a large library to load per test file.
  let analyticsStore: Promise<TestStore> | undefined;
  const queries = async (): Promise<AnalyticsQueries> => {
    analyticsStore ??= openTestStore(backend === 'pglite' ? 'chdb' : 'clickhouse').then(
      async (t) => {
        await migrate(t.store);
        return t;
      },
    );
    return createAnalyticsQueries({ store: (await analyticsStore).store });
  };
  const analytics: AnalyticsQueries = {
    overview: async (q) => (await queries()).overview(q),
    eventStats: async (id, q) => (await queries()).eventStats(id, q),
    top: async (q) => (await queries()).top(q),
    searches: async (q) => (await queries()).searches(q),
  };
  const relay = options.withRelay
    ? new OutboxRelay({ db, sql: database.sql, log: natsLog, logger, metrics, pollIntervalMs: 500 })
    : undefined;
  await relay?.start();
  const interactions = new InteractionService({ log: kafkaLog, metrics, now: options.now });
  const recommendations = new RecommendationEngine({
    sql: database.sql,
    log: natsLog,
    logger,
    metrics,
    now: options.now,
    // Tests refresh and reload explicitly; the timers only back them up.
    // Ranked on the worker thread, as in production (its in-thread fallback has its own test).
    options: {
      catalogueRefreshMs: 60_000,
      trendRefreshMs: 60_000,
      modelPollMs: 60_000,
      rankingThread: true,
    },
  });
  await recommendations.start();
  const training = new InProcessTrainingScheduler({
    cron: '0 0 1 1 *',
    logger,
    attempts: 1,
    run: (onProgress) =>
      runTraining(
        {
          db: database.sql,
          analytics: null,
          log: kafkaLog,
          logger,
          settings: { factors: 16, iterations: 8, ...options.training },
          now: options.now,
        },
        onProgress,
      ),
  });
  const app = createApp({
    sql: database.sql,
    db,
    logger,
    metrics,
    jwtSecret,
    adminEmails: options.adminEmails ?? ['admin@example.com'],
    cookieSecure: true,
    rateLimits: { enabled: false, stores: memoryStores, ...options.rateLimits },
    now: options.now,
    live,
    interactions,
    analytics,
    search: new EmbeddedSearchIndex(),
    recommendations,
    training,
  });
  const server: Server = await listen(app, { port: 0, host: '127.0.0.1', logger });
  const { port } = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    db,
    sql: database.sql,
    jwtSecret,
    natsLog,
    kafkaLog,
    recommendations,
    training,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await relay?.stop();
      await training.stop();
      await recommendations.stop();
      await live.stop();
      await Promise.all([natsLog.close(), kafkaLog.close()]);
      await (await analyticsStore)?.drop();
      await database.drop();
    },
  };
}
