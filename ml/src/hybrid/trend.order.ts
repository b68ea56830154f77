import { topK } from '../cf/top-k.ranking.js';
import { soonness } from './hybrid.ranker.js';

/** What the trend order reads of an event. */
export interface Trending {
  readonly id: string;
  /** Recent registrations and views, scaled to 0..1 across the catalogue. */
  readonly trend: number;
  readonly startsAt: number;
}

/** Entries of the order selected and sorted up front. */
const HEAD = 1_000;
/** The soon bonus drifts slowly: an order is kept this long unless the events change. */
const MAX_AGE_MS = 60_000;

/** Trend score: recent activity, plus a bonus for starting soon. */
export function trendScore(event: Trending, now: number): number {
  return event.trend + 0.3 * soonness(event.startsAt, now);
}

interface Order<T> {
  at: number;
  entries: T[];
  scores: Float32Array;
  head: { entry: T; score: number }[];
  /** The entries after the head, sorted when first needed. */
  rest: { entry: T; score: number }[] | null;
}

/**
 * Events by trend score, best first, for the trending lists and the trending candidates of a
 * recommendation. Answers read only the head (a list's worth after filters), so the first HEAD
 * entries are selected and sorted (a heap over the scores: a few milliseconds for 50,000
 * events, where sorting them all stalled every request behind it for tens of), and the rest is
 * sorted only if a walk goes past the head (a rare city, say). Kept until `invalidate` (the
 * events or their trend changed) or a minute has passed.
 */
export class TrendOrder<T extends Trending> {
  private order: Order<T> | null = null;

  constructor(private readonly events: () => Iterable<T>) {}

  invalidate(): void {
    this.order = null;
  }

  /** Calls `visit` in trend order until it returns false. */
  walk(now: number, visit: (entry: T, score: number) => boolean): void {
    if (!this.order || now - this.order.at >= MAX_AGE_MS) this.order = this.build(now);
    // Plain loops, not a generator: every recommendation walks the head (a yield per entry
    // cost more than the filtering it feeds).
    const order = this.order;
    for (const { entry, score } of order.head) if (!visit(entry, score)) return;
    if (order.entries.length <= order.head.length) return;
    order.rest ??= restOf(order);
    for (const { entry, score } of order.rest) if (!visit(entry, score)) return;
  }

  /**
   * The ids of the first `limit` events in trend order that are neither excluded nor started:
   * what a recommendation adds to its retrieved candidates.
   */
  head(limit: number, exclude: ReadonlySet<string>, now: number): string[] {
    const ids: string[] = [];
    if (limit <= 0) return ids;
    this.walk(now, (entry) => {
      if (!exclude.has(entry.id) && entry.startsAt > now) ids.push(entry.id);
      return ids.length < limit;
    });
    return ids;
  }

  private build(now: number): Order<T> {
    const entries = [...this.events()];
    const scores = new Float32Array(entries.length);
    for (let i = 0; i < entries.length; i++) scores[i] = trendScore(entries[i]!, now);
    const head = topK(scores, HEAD);
    return {
      at: now,
      entries,
      scores,
      head: Array.from(head.items, (i) => ({ entry: entries[i]!, score: scores[i]! })),
      rest: null,
    };
  }
}

/** The entries of `order` after its head, best first. */
function restOf<T extends Trending>(order: Order<T>): { entry: T; score: number }[] {
  const inHead = new Set(order.head.map((h) => h.entry.id));
  const rest: { entry: T; score: number }[] = [];
  for (let i = 0; i < order.entries.length; i++) {
    const entry = order.entries[i]!;
    if (!inHead.has(entry.id)) rest.push({ entry, score: order.scores[i]! });
  }
  // Ties as topK breaks them: the earlier entry first.
  return rest.sort((a, b) => b.score - a.score);
}
