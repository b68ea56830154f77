import { Client } from '@elastic/elasticsearch';

/**
 * A client for our Elasticsearch. Health checks use `GET /_cluster/health`: the local
 * integ-test distribution answers `GET /` and `HEAD /` (`info()`, `ping()`) with 405.
 */
export function createElasticClient(url: string): Client {
  return new Client({ node: url, maxRetries: 2, requestTimeout: 30_000 });
}

export function elasticReady(client: Client): Promise<unknown> {
  return client.cluster.health({ wait_for_status: 'yellow', timeout: '1s' });
}
