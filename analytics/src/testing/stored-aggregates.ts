import type { OfflineAggregates, OfflineWindow } from '../consumer/offline.recompute.js';
import type { AnalyticsStore } from '../store/analytics-store.port.js';

/** What the store holds, in the shape of the offline recomputation, to compare the two. */
export async function readStoredAggregates(
  store: AnalyticsStore,
): Promise<Omit<OfflineAggregates, 'invalid'>> {
  const [windows, late, registrations] = await Promise.all([
    store.query<Record<string, unknown>>(
      `SELECT toUInt32(window_start) AS w, event_id, type,
        uniqExactMerge(interactions) AS n, uniqExactMerge(users) AS u
      FROM interaction_windows_1m
      GROUP BY window_start, event_id, type`,
    ),
    store.query<{ id: string }>('SELECT DISTINCT id FROM interactions WHERE late = 1'),
    store.query<{ event_id: string; n: number }>(
      `SELECT event_id, uniqExact(registration_id) AS n
      FROM registrations
      WHERE type IN ('registration.confirmed', 'registration.waitlisted')
      GROUP BY event_id`,
    ),
  ]);
  return {
    windows: new Map(
      windows.map((r): [string, OfflineWindow] => {
        const w: OfflineWindow = {
          windowStart: Number(r.w),
          eventId: String(r.event_id),
          type: String(r.type),
          interactions: Number(r.n),
          users: Number(r.u),
        };
        return [`${w.windowStart}|${w.eventId}|${w.type}`, w];
      }),
    ),
    late: new Set(late.map((r) => r.id)),
    registrations: new Map(registrations.map((r) => [r.event_id, Number(r.n)])),
  };
}
