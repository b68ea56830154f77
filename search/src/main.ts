import { topics } from '@platform/contracts';
import { createKafka, createServiceContext, loadConfig, startOpsServer } from '@platform/kit';
import { createKafkaLog, startKafkaLagProbe } from '@platform/kit/messaging';
import { searchConfigSchema } from './config.js';
import { createElasticClient, elasticReady } from './index/elastic.client.js';
import { ElasticSearchIndex } from './index/elastic.index.js';
import { SearchIndexer } from './indexer/search.indexer.js';

/** Composition root of the search indexer (`npm run start:search`). */
const config = loadConfig(searchConfigSchema);
const ctx = createServiceContext('search', config.LOG_LEVEL);

const elastic = createElasticClient(config.ELASTICSEARCH_URL);
ctx.shutdown.add('elasticsearch', () => elastic.close());
const index = new ElasticSearchIndex({ client: elastic, alias: config.SEARCH_INDEX_ALIAS });
await index.ensureIndex({ replicas: config.SEARCH_INDEX_REPLICAS });

const log = await createKafkaLog({
  brokers: config.KAFKA_BROKERS,
  clientId: 'search',
  logger: ctx.logger,
});
ctx.shutdown.add('kafka', () => log.close());
const indexer = new SearchIndexer({
  log,
  index,
  topics: [topics.domain],
  logger: ctx.logger,
  metrics: ctx.metrics,
});
await indexer.start();
ctx.shutdown.add('indexer', () => indexer.stop());
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: 'search-ops',
  logger: ctx.logger,
});
ctx.shutdown.add(
  'consumer lag probe',
  startKafkaLagProbe({
    admin: kafka.admin(),
    group: indexer.group,
    topics: [topics.domain],
    gauge: indexer.lag,
    logger: ctx.logger,
  }),
);

await startOpsServer(ctx, {
  port: config.PORT,
  host: config.HOST,
  readiness: [{ name: 'elasticsearch', check: () => elasticReady(elastic) }],
});
