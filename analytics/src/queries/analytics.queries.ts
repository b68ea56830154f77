import type {
  AnalyticsOverview,
  AnalyticsRangeQuery,
  EventStats,
  SearchesQuery,
  SearchReport,
  TopEvents,
  TopQuery,
} from '@platform/contracts';
import type { AnalyticsStore } from '../store/analytics-store.port.js';
import { eventStats } from './event-stats.query.js';
import { overview } from './overview.query.js';
import { searches } from './searches.query.js';
import { top } from './top.query.js';

/**
 * The BI queries core-api serves to admins (and organizers, for their own events). Inputs are
 * the contract's query schemas (`contracts/src/analytics.ts`); a bad input throws a
 * ValidationError; outputs are parsed with the response schemas.
 */
export interface AnalyticsQueries {
  overview(query: AnalyticsRangeQuery): Promise<AnalyticsOverview>;
  eventStats(eventId: string, query: AnalyticsRangeQuery): Promise<EventStats>;
  top(query: TopQuery): Promise<TopEvents>;
  searches(query: SearchesQuery): Promise<SearchReport>;
}

export function createAnalyticsQueries({ store }: { store: AnalyticsStore }): AnalyticsQueries {
  return {
    overview: (query) => overview(store, query),
    eventStats: (eventId, query) => eventStats(store, eventId, query),
    top: (query) => top(store, query),
    searches: (query) => searches(store, query),
  };
}
