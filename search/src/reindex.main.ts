import { createLogger, loadConfig } from '@platform/kit';
import { createPgDatabase } from '@platform/kit/sql';
import { searchConfigSchema } from './config.js';
import { createElasticClient } from './index/elastic.client.js';
import { reindex } from './index/reindex.js';

/**
 * `npm run search:reindex`: rebuilds the events index from PostgreSQL into a new version and
 * swaps the alias atomically. Progress goes to stderr, the summary to stdout as JSON.
 */
const config = loadConfig(searchConfigSchema);
const logger = createLogger({ service: 'search-reindex', level: config.LOG_LEVEL });
const sql = createPgDatabase({
  url: config.DATABASE_URL,
  logger,
  applicationName: 'search-reindex',
});
const client = createElasticClient(config.ELASTICSEARCH_URL);

try {
  let lastReport = 0;
  const result = await reindex({
    sql,
    client,
    alias: config.SEARCH_INDEX_ALIAS,
    replicas: config.SEARCH_INDEX_REPLICAS,
    onProgress: (p) => {
      if (p.loaded < p.total && performance.now() - lastReport < 1_000) return;
      lastReport = performance.now();
      const percent = p.total ? Math.floor((100 * p.loaded) / p.total) : 100;
      process.stderr.write(
        `reindex ${config.SEARCH_INDEX_ALIAS}: ${p.loaded}/${p.total} (${percent}%), ${Math.round(p.docsPerSecond)} docs/s\n`,
      );
    },
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  logger.error({ err: error }, 'reindex failed; the current index is untouched');
  process.exitCode = 1;
} finally {
  await Promise.allSettled([sql.close(), client.close()]);
}
