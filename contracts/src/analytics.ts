import { z } from 'zod';
import { isoDateTime, uuidv7 } from './envelope.js';

/** Bucket sizes of BI series: rolled up from the one-minute windows. */
export const analyticsInterval = z.enum(['1m', '5m', '1h', '1d']);
export type AnalyticsInterval = z.infer<typeof analyticsInterval>;

export const analyticsIntervalSeconds: Record<AnalyticsInterval, number> = {
  '1m': 60,
  '5m': 300,
  '1h': 3_600,
  '1d': 86_400,
};

/** Most buckets one series may have, so a year in minutes cannot be asked for by accident. */
export const maxAnalyticsBuckets = 2_000;

const rangeFields = {
  from: isoDateTime,
  to: isoDateTime,
};

const checkRange = (v: { from: string; to: string }, ctx: z.RefinementCtx) => {
  if (Date.parse(v.from) >= Date.parse(v.to)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  }
};

/** `from` inclusive, `to` exclusive; both are widened to whole buckets of `interval`. */
export const analyticsRangeQuerySchema = z
  .object({ ...rangeFields, interval: analyticsInterval.default('1h') })
  .superRefine((v, ctx) => {
    checkRange(v, ctx);
    const seconds = analyticsIntervalSeconds[v.interval];
    const buckets = (Date.parse(v.to) - Date.parse(v.from)) / 1000 / seconds;
    if (buckets > maxAnalyticsBuckets) {
      ctx.addIssue({
        code: 'custom',
        path: ['interval'],
        message: `at most ${maxAnalyticsBuckets} buckets: use a coarser interval or a shorter range`,
      });
    }
  });
export type AnalyticsRangeQuery = z.input<typeof analyticsRangeQuerySchema>;

const count = z.number().int().nonnegative();
/** A ratio, or null when its denominator is zero. */
const rate = z.number().nonnegative().nullable();

export const overviewFiguresSchema = z.object({
  impressions: count,
  views: count,
  clicks: count,
  searches: count,
  shares: count,
  registrations: count,
  /** Distinct people (user, or session when anonymous) with any interaction. */
  activeUsers: count,
  /** clicks / impressions. */
  clickThroughRate: rate,
  conversion: z.object({
    impressionToView: rate,
    viewToRegistration: rate,
    impressionToRegistration: rate,
  }),
});
export type OverviewFigures = z.infer<typeof overviewFiguresSchema>;

export const analyticsOverviewSchema = z.object({
  from: isoDateTime,
  to: isoDateTime,
  interval: analyticsInterval,
  totals: overviewFiguresSchema,
  series: z.array(overviewFiguresSchema.extend({ t: isoDateTime })),
});
export type AnalyticsOverview = z.infer<typeof analyticsOverviewSchema>;

export const eventFiguresSchema = z.object({
  impressions: count,
  views: count,
  clicks: count,
  searches: count,
  registrations: count,
});
export type EventFigures = z.infer<typeof eventFiguresSchema>;

export const eventStatsSchema = z.object({
  eventId: uuidv7,
  from: isoDateTime,
  to: isoDateTime,
  interval: analyticsInterval,
  totals: eventFiguresSchema,
  series: z.array(eventFiguresSchema.extend({ t: isoDateTime })),
});
export type EventStats = z.infer<typeof eventStatsSchema>;

export const topMetric = z.enum(['impressions', 'views', 'clicks', 'shares', 'registrations']);
export type TopMetric = z.infer<typeof topMetric>;

export const topQuerySchema = z
  .object({
    ...rangeFields,
    metric: topMetric.default('views'),
    limit: z.coerce.number().int().min(1).max(100).default(10),
  })
  .superRefine(checkRange);
export type TopQuery = z.input<typeof topQuerySchema>;

export const topEventsSchema = z.object({
  metric: topMetric,
  from: isoDateTime,
  to: isoDateTime,
  items: z.array(
    z.object({
      eventId: uuidv7,
      value: count,
      /** From the event's latest revision; null when analytics has not seen the event. */
      title: z.string().nullable(),
      category: z.string().nullable(),
      city: z.string().nullable(),
    }),
  ),
});
export type TopEvents = z.infer<typeof topEventsSchema>;

export const searchesQuerySchema = z
  .object({ ...rangeFields, limit: z.coerce.number().int().min(1).max(100).default(20) })
  .superRefine(checkRange);
export type SearchesQuery = z.input<typeof searchesQuerySchema>;

export const searchReportSchema = z.object({
  from: isoDateTime,
  to: isoDateTime,
  /** Queries are compared trimmed, lower-cased and with single spaces. */
  topQueries: z.array(
    z.object({
      query: z.string(),
      searches: count,
      users: count,
      /** Mean result count of the searches that reported one. */
      averageResults: z.number().nonnegative().nullable(),
    }),
  ),
  noResults: z.array(z.object({ query: z.string(), searches: count, users: count })),
});
export type SearchReport = z.infer<typeof searchReportSchema>;
