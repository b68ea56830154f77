import { createLogger, loadConfig } from '@platform/kit';
import { createPgDatabase, migrateToLatest } from '@platform/kit/sql';
import { migrateConfigSchema } from '../config.js';
import { migrations } from './migrations/index.js';

/** `npm run migrate`: applies pending migrations to DATABASE_URL and exits. */
const config = loadConfig(migrateConfigSchema);
const logger = createLogger({ service: 'migrate', level: config.LOG_LEVEL });
const db = createPgDatabase({ url: config.DATABASE_URL, logger, applicationName: 'migrate' });
try {
  const applied = await migrateToLatest(db, migrations, { logger });
  logger.info(
    { applied: applied.length },
    applied.length ? 'migrations applied' : 'schema up to date',
  );
} finally {
  await db.close();
}
