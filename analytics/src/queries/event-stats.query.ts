import {
  analyticsRangeQuerySchema,
  eventStatsSchema,
  uuidv7,
  type AnalyticsRangeQuery,
  type EventFigures,
  type EventStats,
} from '@platform/contracts';
import type { AnalyticsStore } from '../store/analytics-store.port.js';
import { metricsByBucket } from './overview.query.js';
import { parseQueryInput } from './query-input.js';
import { bucketParams, bucketRange, bucketStarts } from './time-buckets.js';

/**
 * One event's figures per bucket: interactions by type from its one-minute windows,
 * registrations from the raw registrations. Same shape and bucketing as the overview.
 */
export const eventStatsSql = `
SELECT t, metric, value
FROM
(
    SELECT
        toUInt32({from:DateTime}) + intDiv(toUInt32(window_start) - toUInt32({from:DateTime}), {step:UInt32}) * {step:UInt32} AS t,
        type AS metric,
        uniqExactMerge(interactions) AS value
    FROM interaction_windows_1m
    WHERE event_id = {eventId:String}
      AND window_start >= {from:DateTime} AND window_start < {to:DateTime}
    GROUP BY t, metric

    UNION ALL

    SELECT
        toUInt32({from:DateTime}) + intDiv(toUInt32(occurred_at) - toUInt32({from:DateTime}), {step:UInt32}) * {step:UInt32} AS t,
        'registrations' AS metric,
        uniqExact(registration_id) AS value
    FROM registrations
    WHERE event_id = {eventId:String}
      AND type IN ('registration.confirmed', 'registration.waitlisted')
      AND occurred_at >= {from:DateTime} AND occurred_at < {to:DateTime}
    GROUP BY t
)
ORDER BY t, metric`;

const figures = (v: Partial<Record<string, number>>): EventFigures => ({
  impressions: v.impression ?? 0,
  views: v.view ?? 0,
  clicks: v.click ?? 0,
  searches: v.search ?? 0,
  registrations: v.registrations ?? 0,
});

export async function eventStats(
  store: AnalyticsStore,
  eventId: string,
  input: AnalyticsRangeQuery,
): Promise<EventStats> {
  const id = parseQueryInput(uuidv7, eventId);
  const query = parseQueryInput(analyticsRangeQuerySchema, input);
  const range = bucketRange(query.from, query.to, query.interval);
  const [series, totals] = await Promise.all([
    metricsByBucket(store, eventStatsSql, { ...bucketParams(range), eventId: id }),
    metricsByBucket(store, eventStatsSql, { ...bucketParams(range, true), eventId: id }),
  ]);
  return eventStatsSchema.parse({
    eventId: id,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    interval: range.interval,
    totals: figures(totals.get(range.from.getTime() / 1000) ?? {}),
    series: bucketStarts(range).map((t) => ({
      t: new Date(t * 1000).toISOString(),
      ...figures(series.get(t) ?? {}),
    })),
  });
}
