import { CandidateIndex } from './candidate.index.js';
import { rankForUser, type CandidateInfo, type Ranked } from './hybrid.ranker.js';
import { TrendOrder } from './trend.order.js';

/** The ranker thread's inputs for one person: `rankForUser`'s request without the index. */
export interface RankJob {
  readonly user: Float32Array;
  readonly history: readonly { eventId: string; title: string; vector: Float32Array }[];
  readonly exclude: readonly string[];
  /**
   * How many events from the head of the trend order join the retrieved candidates. The ranker
   * picks them from its own copy of the facts: sending their ids cost more than the ranking's
   * own message (50 strings to clone on the event loop).
   */
  readonly trending: number;
  readonly limit: number;
  readonly now: number;
}

/** What the serving side tells the ranker thread, in the order it happened. */
export type RankerMessage =
  /** A new model: an empty index over its centroids (the events' facts are kept). */
  | { op: 'reset'; k: number; centroids: Float32Array | null; capacity: number }
  /** Events' vectors in the current model's space (row-major, ids.length x k), and the
   * inverted list each sits in on the serving side (-1: find it here). */
  | { op: 'place'; ids: string[]; vectors: Float32Array; lists: Int32Array }
  /** Facts the ranker reads, column by column. */
  | {
      op: 'describe';
      ids: string[];
      titles: string[];
      categories: string[];
      cities: string[];
      startsAt: Float64Array;
      trends: Float32Array;
    }
  /** Events no longer recommendable. */
  | { op: 'remove'; ids: string[] }
  | { op: 'rank'; id: number; job: RankJob };

export type RankerReply = { id: number; ranked: Ranked[] } | { id: number; error: string };

/**
 * The ranker thread's copy of the serving state: the candidate index of the live model and the
 * facts of every recommendable event. Applied message by message, in order, so a ranking sees
 * exactly the state the serving side had when it asked.
 */
export class RankerState {
  private index: CandidateIndex | null = null;
  private readonly info = new Map<string, CandidateInfo & { id: string }>();
  private readonly trend = new TrendOrder(() => this.info.values());

  apply(message: RankerMessage): RankerReply | undefined {
    switch (message.op) {
      case 'reset':
        this.index = new CandidateIndex(message.k, message.centroids, message.capacity);
        return undefined;
      case 'place': {
        const index = this.requireIndex();
        const k = index.k;
        message.ids.forEach((id, i) => {
          index.upsert(id, message.vectors.subarray(i * k, i * k + k));
          const facts = this.info.get(id);
          if (facts) index.setFacts(id, facts);
        });
        return undefined;
      }
      case 'describe':
        message.ids.forEach((id, i) => {
          const facts = {
            id,
            title: message.titles[i]!,
            category: message.categories[i]!,
            city: message.cities[i]!,
            startsAt: message.startsAt[i]!,
            trend: message.trends[i]!,
          };
          this.info.set(id, facts);
          this.index?.setFacts(id, facts);
        });
        this.trend.invalidate();
        return undefined;
      case 'remove':
        for (const id of message.ids) {
          this.info.delete(id);
          this.index?.remove(id);
        }
        this.trend.invalidate();
        return undefined;
      case 'rank':
        try {
          return { id: message.id, ranked: this.rank(message.job) };
        } catch (err) {
          return { id: message.id, error: err instanceof Error ? err.message : String(err) };
        }
    }
  }

  private rank(job: RankJob): Ranked[] {
    const exclude = new Set(job.exclude);
    return rankForUser({
      index: this.requireIndex(),
      info: (id) => this.info.get(id),
      user: job.user,
      history: job.history,
      exclude,
      extra: this.trend.head(job.trending, exclude, job.now),
      limit: job.limit,
      now: job.now,
    });
  }

  private requireIndex(): CandidateIndex {
    if (!this.index) throw new Error('no model in the ranker thread yet');
    return this.index;
  }
}
