import { Counter, Histogram, type Registry } from '@platform/kit';

/**
 * Search as people see it: how long the index took and how often nothing was found, per
 * endpoint (`search`, `suggest`). The HTTP metrics time the whole request; these time the
 * index alone and know the result count.
 */
export function createSearchMetrics(registry: Registry) {
  const registers = [registry];
  return {
    queries: new Counter({
      name: 'search_queries_total',
      help: 'Search and suggest queries answered, by endpoint and whether anything was found (results = some | none)',
      labelNames: ['endpoint', 'results'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'search_query_duration_seconds',
      help: 'Time the search index took to answer, by endpoint',
      labelNames: ['endpoint'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  };
}

export type SearchMetrics = ReturnType<typeof createSearchMetrics>;

/** Runs one index call and records its duration and whether it found anything. */
export async function measured<T>(
  metrics: SearchMetrics | undefined,
  endpoint: 'search' | 'suggest',
  run: () => Promise<T>,
  found: (result: T) => number,
): Promise<T> {
  const stop = metrics?.duration.startTimer({ endpoint });
  const result = await run();
  stop?.();
  metrics?.queries.inc({ endpoint, results: found(result) > 0 ? 'some' : 'none' });
  return result;
}
