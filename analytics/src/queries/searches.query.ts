import {
  searchesQuerySchema,
  searchReportSchema,
  type SearchesQuery,
  type SearchReport,
} from '@platform/contracts';
import type { AnalyticsStore } from '../store/analytics-store.port.js';
import { parseQueryInput } from './query-input.js';

/**
 * Search reports read the raw interactions: the windows have no query text. The inner query
 * keeps one row per interaction id, so redelivered and duplicate messages count once; late ones
 * (past the allowed lateness) are left out, as they are from every aggregate.
 */
export const topSearchesSql = `
SELECT
    query_key AS query,
    count() AS searches,
    uniqExact(user_key) AS users,
    avg(result_count) AS average_results
FROM
(
    SELECT query_key, id, any(user_key) AS user_key, any(result_count) AS result_count
    FROM interactions
    WHERE type = 'search' AND late = 0 AND query_key != ''
      AND occurred_at >= {from:DateTime} AND occurred_at < {to:DateTime}
    GROUP BY query_key, id
)
GROUP BY query_key
ORDER BY searches DESC, query
LIMIT {limit:UInt32}`;

/** Queries whose searches found nothing: what people look for and the catalogue lacks. */
export const noResultSearchesSql = `
SELECT query_key AS query, count() AS searches, uniqExact(user_key) AS users
FROM
(
    SELECT query_key, id, any(user_key) AS user_key
    FROM interactions
    WHERE type = 'search' AND late = 0 AND query_key != '' AND result_count = 0
      AND occurred_at >= {from:DateTime} AND occurred_at < {to:DateTime}
    GROUP BY query_key, id
)
GROUP BY query_key
ORDER BY searches DESC, query
LIMIT {limit:UInt32}`;

export async function searches(store: AnalyticsStore, input: SearchesQuery): Promise<SearchReport> {
  const query = parseQueryInput(searchesQuerySchema, input);
  const params = { from: query.from, to: query.to, limit: query.limit };
  const [topRows, noResultRows] = await Promise.all([
    store.query<Record<string, unknown>>(topSearchesSql, params),
    store.query<Record<string, unknown>>(noResultSearchesSql, params),
  ]);
  return searchReportSchema.parse({
    from: query.from,
    to: query.to,
    topQueries: topRows.map((r) => ({
      query: r.query,
      searches: Number(r.searches),
      users: Number(r.users),
      averageResults: r.average_results === null ? null : Number(r.average_results),
    })),
    noResults: noResultRows.map((r) => ({
      query: r.query,
      searches: Number(r.searches),
      users: Number(r.users),
    })),
  });
}
