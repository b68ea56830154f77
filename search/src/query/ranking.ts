import type { SearchDocument } from './search-document.js';

/**
 * Ranking, the same in both backends: text relevance multiplied by
 *
 *   1 + popularity·ln(1 + registrations) + trend·ln(1 + recent gain) + soon·gauss(startsAt)
 *
 * Registrations are confirmed plus waitlisted people. The recent gain counts only when the last
 * gain is within `trendWindowMs` (Elasticsearch here cannot run scripts, so the daily decay of the
 * gain is applied when it is written, and this window stands in for decay at query time).
 * gauss(startsAt) is 1 for an event starting now, 0.5 a week out, 1/16 two weeks out.
 * In Elasticsearch this is a function_score (score_mode sum, boost_mode multiply) with a
 * weight-1 function, two field_value_factor ln1p functions and a gauss decay on startsAt.
 */
export const ranking = {
  popularityWeight: 0.25,
  trendWeight: 0.5,
  trendWindowMs: 48 * 3_600_000,
  soonWeight: 1,
  soonScaleDays: 7,
  soonDecay: 0.5,
  /** Field boosts for relevance: a title match matters most. */
  fields: { title: 3, titlePrefix: 2, titleFuzzyPrefix: 1, tags: 2, place: 1, description: 0.5 },
} as const;

export function registrations(doc: SearchDocument): number {
  return doc.counts.confirmedCount + doc.counts.waitlistCount;
}

/** The multiplier above, for the embedded index (Elasticsearch computes it itself). */
export function boost(doc: SearchDocument, now: Date): number {
  const recent =
    doc.trend !== null && Date.parse(doc.trend.at) >= now.getTime() - ranking.trendWindowMs
      ? doc.trend.value
      : 0;
  const startsAt = doc.event ? Date.parse(doc.event.startsAt) : now.getTime();
  const days = Math.abs(startsAt - now.getTime()) / 86_400_000;
  const soon = ranking.soonDecay ** ((days / ranking.soonScaleDays) ** 2);
  return (
    1 +
    ranking.popularityWeight * Math.log1p(registrations(doc)) +
    ranking.trendWeight * Math.log1p(recent) +
    ranking.soonWeight * soon
  );
}
