import { analyticsIntervalSeconds, type AnalyticsInterval } from '@platform/contracts';

/** A query range widened to whole buckets: `from` down and `to` up to multiples of the step
 * (epoch-aligned, so days start at 00:00 UTC). Every bucket in it is complete. */
export interface BucketRange {
  from: Date;
  to: Date;
  interval: AnalyticsInterval;
  /** Bucket size, seconds. */
  step: number;
}

export function bucketRange(from: string, to: string, interval: AnalyticsInterval): BucketRange {
  const step = analyticsIntervalSeconds[interval];
  const fromS = Math.floor(Date.parse(from) / 1000 / step) * step;
  const toS = Math.max(fromS + step, Math.ceil(Date.parse(to) / 1000 / step) * step);
  return { from: new Date(fromS * 1000), to: new Date(toS * 1000), interval, step };
}

/** The start of every bucket of the range, epoch seconds. */
export function bucketStarts(range: BucketRange): number[] {
  const starts: number[] = [];
  for (let t = range.from.getTime() / 1000; t < range.to.getTime() / 1000; t += range.step) {
    starts.push(t);
  }
  return starts;
}

/** The parameters the bucketed queries take: one bucket per `step`, or the whole range as one
 * bucket (their totals) when `whole` is set. */
export function bucketParams(range: BucketRange, whole = false) {
  const span = (range.to.getTime() - range.from.getTime()) / 1000;
  return { from: range.from, to: range.to, step: whole ? span : range.step };
}

/** A ratio, or null when there is nothing to divide by. */
export const ratio = (numerator: number, denominator: number) =>
  denominator > 0 ? numerator / denominator : null;
