import { env, localDefaults } from '@platform/kit';
import { cronSchema } from '@platform/ml/config';
import { z } from 'zod';

const shared = {
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  /** Comma-separated emails that become admins when they sign up or log in. */
  ADMIN_EMAILS: env.list(),
  /** HMAC key for access tokens (at least 32 characters). Unset: a random key per process. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** `off` disables rate limits (local load tests only). */
  RATE_LIMIT: env.boolean(true),
  /** Send the refresh cookie with `Secure`. Browsers accept it on http://localhost too. */
  COOKIE_SECURE: env.boolean(true),
  /** Rank recommendations on a worker thread beside the event loop; `off` ranks in-thread. */
  RANKING_THREAD: env.boolean(true),
};

/** `npm run start:core-api`: production mode against the real servers. */
export const coreApiConfigSchema = z.object({
  ...shared,
  PORT: env.port(8080),
  DATABASE_URL: env.url(localDefaults.databaseUrl),
  DATABASE_POOL_SIZE: env.positiveInt(20),
  /** Produce interactions to Kafka from a worker thread; `off` produces on the event loop. */
  INTERACTIONS_THREAD: env.boolean(true),
  /** Connections opened at start and kept however idle (at most the pool size). */
  DATABASE_POOL_MIN: z.coerce.number().int().min(0).default(20),
  REDIS_URL: env.url(localDefaults.redisUrl),
  NATS_URL: env.url(localDefaults.natsUrl),
  KAFKA_BROKERS: env.list([...localDefaults.kafkaBrokers]),
  CLICKHOUSE_URL: env.url(localDefaults.clickhouseUrl),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().regex(/^\w+$/).default('platform'),
  ELASTICSEARCH_URL: env.url(localDefaults.elasticsearchUrl),
});
export type CoreApiConfig = z.infer<typeof coreApiConfigSchema>;

/** `npm start`: everything in one process, embedded adapters, data under DATA_DIR. */
export const embeddedConfigSchema = z.object({
  ...shared,
  PORT: env.port(8080),
  DATA_DIR: z.string().default('./data'),
  /** When set, use this PostgreSQL instead of the embedded PGlite. */
  DATABASE_URL: z.url().optional(),
  /** Seed demo data on first boot. */
  SEED: env.boolean(true),
  /** When the in-process scheduler retrains the recommendation model (cron, default hourly). */
  ML_TRAIN_CRON: cronSchema('0 * * * *'),
  COOKIE_SECURE: env.boolean(false),
});
export type EmbeddedConfig = z.infer<typeof embeddedConfigSchema>;

/** `npm run migrate`. */
export const migrateConfigSchema = z.object({
  DATABASE_URL: env.url(localDefaults.databaseUrl),
  LOG_LEVEL: env.logLevel(),
});
