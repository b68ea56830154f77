import { randomBytes } from 'node:crypto';
import { createRedis, createServiceContext, listen, loadConfig } from '@platform/kit';
import { createKysely, createPgDatabase } from '@platform/kit/sql';
import { createApp } from './app.js';
import { coreApiConfigSchema } from './config.js';
import type { Database } from './db/schema.js';
import { startHousekeeping } from './housekeeping/housekeeping.js';
import { redisStores } from './rate-limit/rate-limit.js';

/** Composition root of core-api in production mode (`npm run start:core-api`). */
const config = loadConfig(coreApiConfigSchema);
const ctx = createServiceContext('core-api', config.LOG_LEVEL);

const sqlDb = createPgDatabase({
  url: config.DATABASE_URL,
  maxConnections: config.DATABASE_POOL_SIZE,
  logger: ctx.logger,
  applicationName: 'core-api',
});
ctx.shutdown.add('database', () => sqlDb.close());
const db = createKysely<Database>(sqlDb);

const redis = createRedis(config.REDIS_URL);
ctx.shutdown.add('redis', async () => void (await redis.quit()));

if (!config.JWT_SECRET) {
  ctx.logger.warn(
    'JWT_SECRET is not set: using a random key, so tokens are valid on this process only',
  );
}

ctx.shutdown.add('housekeeping', startHousekeeping(db, ctx.logger));
const app = createApp({
  sql: sqlDb,
  db,
  logger: ctx.logger,
  metrics: ctx.metrics,
  jwtSecret: config.JWT_SECRET ?? randomBytes(32).toString('hex'),
  adminEmails: config.ADMIN_EMAILS,
  cookieSecure: config.COOKIE_SECURE,
  rateLimits: { enabled: config.RATE_LIMIT, stores: redisStores(redis) },
});
await listen(app, {
  port: config.PORT,
  host: config.HOST,
  logger: ctx.logger,
  shutdown: ctx.shutdown,
});
