import { Client } from '@elastic/elasticsearch';
import {
  createKafka,
  createServiceContext,
  kafkaReady,
  loadConfig,
  startOpsServer,
} from '@platform/kit';
import { searchConfigSchema } from './config.js';

/** Composition root of the search indexer (`npm run start:search`). */
const config = loadConfig(searchConfigSchema);
const ctx = createServiceContext('search', config.LOG_LEVEL);

const elastic = new Client({ node: config.ELASTICSEARCH_URL });
ctx.shutdown.add('elasticsearch', () => elastic.close());
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: 'search',
  logger: ctx.logger,
});

await startOpsServer(ctx, {
  port: config.PORT,
  host: config.HOST,
  readiness: [
    {
      name: 'elasticsearch',
      check: () => elastic.cluster.health({ wait_for_status: 'yellow', timeout: '1s' }),
    },
    { name: 'kafka', check: () => kafkaReady(kafka) },
  ],
});
