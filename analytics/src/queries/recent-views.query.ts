import type { AnalyticsStore } from '../store/analytics-store.port.js';

/** Distinct views per event since `since` (trend scores for recommendations). Raw rows may be
 * redelivered twice, so views are counted by distinct interaction id. */
export async function recentViewCounts(
  store: AnalyticsStore,
  since: Date,
): Promise<Map<string, number>> {
  const rows = await store.query<{ event_id: string; views: string | number }>(
    `SELECT assumeNotNull(event_id) AS event_id, uniqExact(id) AS views
     FROM interactions
     WHERE type = 'view' AND event_id IS NOT NULL AND occurred_at >= {since:DateTime}
     GROUP BY event_id`,
    { since },
  );
  return new Map(rows.map((r) => [r.event_id, Number(r.views)]));
}
