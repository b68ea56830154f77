import {
  searchQuerySchema,
  searchResponseSchema,
  suggestQuerySchema,
  suggestResponseSchema,
  type SearchQuery,
} from '@platform/contracts';
import type { Logger, Registry } from '@platform/kit';
import type { SearchIndex } from '@platform/search';
import type { AuthUser } from '../auth/auth.types.js';
import { defineRoute, type RouteContext } from '../http/route.js';
import { createSearchMetrics, measured } from './search.metrics.js';

export interface SearchRouteDeps {
  /** Elasticsearch in production, the embedded index in embedded mode. */
  index: SearchIndex;
  /**
   * Called after each answered `GET /v1/search` (not for suggest keystrokes), for recording it as
   * a `search` interaction. It runs after the response is built and cannot fail the request.
   */
  onSearch?: (
    query: SearchQuery,
    resultCount: number,
    user: AuthUser | undefined,
  ) => void | Promise<void>;
  logger?: Logger;
  /** Registers `search_queries_total` and `search_query_duration_seconds` here when given. */
  metrics?: Registry;
}

export function searchRoutes(context: RouteContext, deps: SearchRouteDeps): void {
  const metrics = deps.metrics && createSearchMetrics(deps.metrics);
  defineRoute(context, {
    method: 'get',
    path: '/v1/search',
    operationId: 'searchEvents',
    summary: 'Search published, upcoming events: ranked hits with highlights, facets and a cursor',
    tags: ['search'],
    auth: 'optional',
    query: searchQuerySchema,
    problems: [503],
    responses: { 200: { description: 'A page of hits', schema: searchResponseSchema } },
    handler: async ({ query, user }) => {
      const result = await measured(
        metrics,
        'search',
        () => deps.index.search(query),
        (r) => r.total,
      );
      if (deps.onSearch) {
        const onSearch = deps.onSearch;
        void Promise.resolve()
          .then(() => onSearch(query, result.total, user))
          .catch((error: unknown) => deps.logger?.warn({ err: error }, 'onSearch hook failed'));
      }
      return { status: 200, body: result };
    },
  });

  defineRoute(context, {
    method: 'get',
    path: '/v1/search/suggest',
    operationId: 'suggestEvents',
    summary: 'Event titles for what has been typed so far (prefix of any word, typo tolerant)',
    tags: ['search'],
    auth: 'none',
    query: suggestQuerySchema,
    problems: [503],
    responses: { 200: { description: 'Suggestions, best first', schema: suggestResponseSchema } },
    handler: async ({ query }) => ({
      status: 200,
      body: {
        suggestions: await measured(
          metrics,
          'suggest',
          () => deps.index.suggest(query.q, query.limit),
          (r) => r.length,
        ),
      },
    }),
  });
}
