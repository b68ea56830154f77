import { randomBytes } from 'node:crypto';
import { localDefaults } from '@platform/kit';
import { searchIndexContract } from '../query/search-index.contract.js';
import { createElasticClient } from './elastic.client.js';
import { ElasticSearchIndex } from './elastic.index.js';
import { deleteOtherVersions } from './index-versions.js';

/** The contract suite against the real Elasticsearch; a missing server fails the run. */
const client = createElasticClient(process.env.ELASTICSEARCH_URL ?? localDefaults.elasticsearchUrl);
const run = randomBytes(4).toString('hex');
let n = 0;

searchIndexContract('elasticsearch', async ({ now }) => {
  const alias = `test-search-${run}-${++n}`;
  const index = new ElasticSearchIndex({ client, alias, now, writeTargetsTtlMs: 0 });
  await index.ensureIndex();
  return {
    index,
    close: async () => {
      await deleteOtherVersions(client, alias, undefined);
    },
  };
});
