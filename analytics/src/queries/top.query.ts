import {
  topEventsSchema,
  topQuerySchema,
  type TopEvents,
  type TopMetric,
  type TopQuery,
} from '@platform/contracts';
import type { AnalyticsStore } from '../store/analytics-store.port.js';
import { parseQueryInput } from './query-input.js';

/**
 * The events with the most of one metric in a range, with their title, category and city as of
 * their latest revision. `{source:String}` is an interaction type, or 'registration'; the branch
 * of the UNION that does not match it reads nothing.
 */
export const topSql = `
SELECT ranked.event_id AS event_id, value, d.title AS title, d.category AS category, d.city AS city
FROM
(
    SELECT event_id, value
    FROM
    (
        SELECT event_id, uniqExactMerge(interactions) AS value
        FROM interaction_windows_1m
        WHERE type = {source:String} AND event_id != ''
          AND window_start >= {from:DateTime} AND window_start < {to:DateTime}
        GROUP BY event_id

        UNION ALL

        SELECT event_id, uniqExact(registration_id) AS value
        FROM registrations
        WHERE {source:String} = 'registration'
          AND type IN ('registration.confirmed', 'registration.waitlisted')
          AND occurred_at >= {from:DateTime} AND occurred_at < {to:DateTime}
        GROUP BY event_id
    )
    ORDER BY value DESC, event_id
    LIMIT {limit:UInt32}
) AS ranked
LEFT JOIN
(
    SELECT event_id, title, category, city FROM event_dimension_latest
) AS d USING event_id
ORDER BY value DESC, event_id`;

const sources: Record<TopMetric, string> = {
  impressions: 'impression',
  views: 'view',
  clicks: 'click',
  shares: 'share',
  registrations: 'registration',
};

/** '' is what a LEFT JOIN gives for an event the dimension does not have (yet). */
const orNull = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

export async function top(store: AnalyticsStore, input: TopQuery): Promise<TopEvents> {
  const query = parseQueryInput(topQuerySchema, input);
  const rows = await store.query<Record<string, unknown>>(topSql, {
    source: sources[query.metric],
    from: query.from,
    to: query.to,
    limit: query.limit,
  });
  return topEventsSchema.parse({
    metric: query.metric,
    from: query.from,
    to: query.to,
    items: rows.map((r) => ({
      eventId: r.event_id,
      value: Number(r.value),
      title: orNull(r.title),
      category: orNull(r.category),
      city: orNull(r.city),
    })),
  });
}
