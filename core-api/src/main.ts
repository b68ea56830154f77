import { createServiceContext, listen, loadConfig } from '@platform/kit';
import { createPgDatabase } from '@platform/kit/sql';
import { createApp } from './app.js';
import { coreApiConfigSchema } from './config.js';

/** Composition root of core-api in production mode (`npm run start:core-api`). */
const config = loadConfig(coreApiConfigSchema);
const ctx = createServiceContext('core-api', config.LOG_LEVEL);

const db = createPgDatabase({
  url: config.DATABASE_URL,
  maxConnections: config.DATABASE_POOL_SIZE,
  logger: ctx.logger,
  applicationName: 'core-api',
});
ctx.shutdown.add('database', () => db.close());

const app = createApp({ db, logger: ctx.logger, metrics: ctx.metrics });
await listen(app, {
  port: config.PORT,
  host: config.HOST,
  logger: ctx.logger,
  shutdown: ctx.shutdown,
});
