import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServiceContext, listen, loadConfig } from '@platform/kit';
import { createPgDatabase, createPgliteDatabase, migrateToLatest } from '@platform/kit/sql';
import { createApp } from './app.js';
import { embeddedConfigSchema } from './config.js';
import { migrations } from './db/migrations/index.js';

/**
 * Composition root of embedded mode (`npm start`): the whole platform in one process, each
 * outside system replaced by its embedded adapter, data under DATA_DIR.
 */
const config = loadConfig(embeddedConfigSchema);
const ctx = createServiceContext('platform', config.LOG_LEVEL);
const dataDir = path.resolve(config.DATA_DIR);
mkdirSync(dataDir, { recursive: true });

const db = config.DATABASE_URL
  ? createPgDatabase({ url: config.DATABASE_URL, logger: ctx.logger, applicationName: 'platform' })
  : await createPgliteDatabase({ dataDir: path.join(dataDir, 'pglite') });
ctx.shutdown.add('database', () => db.close());
await migrateToLatest(db, migrations, { logger: ctx.logger });

const webRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));
const app = createApp({ db, logger: ctx.logger, metrics: ctx.metrics, webRoot });
await listen(app, {
  port: config.PORT,
  host: config.HOST,
  logger: ctx.logger,
  shutdown: ctx.shutdown,
});
ctx.logger.info(`Events platform running at http://localhost:${config.PORT}`);
