import {
  analyticsOverviewSchema,
  analyticsRangeQuerySchema,
  type AnalyticsOverview,
  type AnalyticsRangeQuery,
  type OverviewFigures,
} from '@platform/contracts';
import type { AnalyticsStore } from '../store/analytics-store.port.js';
import { parseQueryInput } from './query-input.js';
import { bucketParams, bucketRange, bucketStarts, ratio } from './time-buckets.js';

/**
 * Platform-wide figures per bucket: interactions by type and active people from the one-minute
 * windows, registrations (confirmed or waitlisted on creation, counted once per registration)
 * from the raw registrations. One row per (bucket, metric); `t` is the bucket start, epoch
 * seconds. With `step` = the whole range it gives the totals.
 *
 * Grafana: {from:DateTime} -> $__fromTime, {to:DateTime} -> $__toTime, {step:UInt32} -> $__interval_s.
 */
export const overviewSql = `
SELECT t, metric, value
FROM
(
    SELECT
        toUInt32({from:DateTime}) + intDiv(toUInt32(window_start) - toUInt32({from:DateTime}), {step:UInt32}) * {step:UInt32} AS t,
        type AS metric,
        uniqExactMerge(interactions) AS value
    FROM interaction_windows_1m
    WHERE window_start >= {from:DateTime} AND window_start < {to:DateTime}
    GROUP BY t, metric

    UNION ALL

    SELECT
        toUInt32({from:DateTime}) + intDiv(toUInt32(window_start) - toUInt32({from:DateTime}), {step:UInt32}) * {step:UInt32} AS t,
        'active_users' AS metric,
        uniqExactMerge(users) AS value
    FROM interaction_windows_1m
    WHERE window_start >= {from:DateTime} AND window_start < {to:DateTime}
    GROUP BY t

    UNION ALL

    SELECT
        toUInt32({from:DateTime}) + intDiv(toUInt32(occurred_at) - toUInt32({from:DateTime}), {step:UInt32}) * {step:UInt32} AS t,
        'registrations' AS metric,
        uniqExact(registration_id) AS value
    FROM registrations
    WHERE type IN ('registration.confirmed', 'registration.waitlisted')
      AND occurred_at >= {from:DateTime} AND occurred_at < {to:DateTime}
    GROUP BY t
)
ORDER BY t, metric`;

type Values = Partial<Record<string, number>>;

function figures(v: Values): OverviewFigures {
  const impressions = v.impression ?? 0;
  const views = v.view ?? 0;
  const clicks = v.click ?? 0;
  const registrations = v.registrations ?? 0;
  return {
    impressions,
    views,
    clicks,
    searches: v.search ?? 0,
    shares: v.share ?? 0,
    registrations,
    activeUsers: v.active_users ?? 0,
    clickThroughRate: ratio(clicks, impressions),
    conversion: {
      impressionToView: ratio(views, impressions),
      viewToRegistration: ratio(registrations, views),
      impressionToRegistration: ratio(registrations, impressions),
    },
  };
}

/** Runs a (t, metric, value) query and groups its rows by bucket start. */
export async function metricsByBucket(
  store: AnalyticsStore,
  sql: string,
  params: Parameters<AnalyticsStore['query']>[1],
): Promise<Map<number, Values>> {
  const rows = await store.query<{ t: number; metric: string; value: number }>(sql, params);
  const byBucket = new Map<number, Values>();
  for (const row of rows) {
    const t = Number(row.t);
    const values = byBucket.get(t) ?? {};
    values[row.metric] = Number(row.value);
    byBucket.set(t, values);
  }
  return byBucket;
}

export async function overview(
  store: AnalyticsStore,
  input: AnalyticsRangeQuery,
): Promise<AnalyticsOverview> {
  const query = parseQueryInput(analyticsRangeQuerySchema, input);
  const range = bucketRange(query.from, query.to, query.interval);
  const [series, totals] = await Promise.all([
    metricsByBucket(store, overviewSql, bucketParams(range)),
    metricsByBucket(store, overviewSql, bucketParams(range, true)),
  ]);
  return analyticsOverviewSchema.parse({
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
