import { domainMessageSchema, subjects, type RecommendationsResponse } from '@platform/contracts';
import { LRUCache } from 'lru-cache';
import { Counter, Gauge, newId, type Logger, type Registry } from '@platform/kit';
import type { MessageLog, Subscription } from '@platform/kit/messaging';
import type { SqlDatabase } from '@platform/kit/sql';
import {
  CandidateIndex,
  decodeServingModel,
  ModelRegistry,
  rankForUser,
  RankerThread,
  rankSimilar,
  type ContentDecoder,
  type EventText,
  type HistoryItem,
  type Ranked,
  type RankJob,
  type ServingModel,
} from '@platform/ml/serving';
import { HistoryReader, type HistoryRow } from './history.reader.js';
import { ServingCatalogue, type CatalogueEntry } from './serving.catalogue.js';

/** The model and the catalogue's vectors in its space: swapped together, never half-built. */
interface Served {
  readonly model: ServingModel;
  readonly index: CandidateIndex;
}

export interface RecommendationEngineOptions {
  /** How often the catalogue picks up changed events (ms). */
  readonly catalogueRefreshMs?: number;
  /** How often trend scores are recomputed (ms). */
  readonly trendRefreshMs?: number;
  /** Safety net for a missed `ml.model.promoted`: compare the live version this often (ms). */
  readonly modelPollMs?: number;
  /** Rank on a worker thread beside the event loop (see RankerThread); in-thread when false. */
  readonly rankingThread?: boolean;
  /** People whose registrations are kept in memory between their requests. */
  readonly historyCacheSize?: number;
  /**
   * Age (ms) by which a kept history is read again: the next request answers from it and
   * starts the read. Each history's own age for this is drawn from the second half of it (see
   * `histories`). The bound on a registration nothing announced, give or take one answer.
   */
  readonly historyRefreshMs?: number;
  /** The longest a history is kept without being read again (ms); past it a request waits. */
  readonly historyTtlMs?: number;
}

type Endpoint = 'recommendations' | 'similar' | 'trending';

/** Events from the head of the trend order added to each person's retrieved candidates. */
const TRENDING_CANDIDATES = 50;

/**
 * Serves recommendations from the live model. Loads it from the registry at start, swaps in a
 * new one when `ml.model.promoted` arrives (or the poll sees a new version): the new model and
 * its candidate index are built completely first, then one assignment replaces the old pair,
 * so requests in flight finish on the model they started with and none fails.
 */
export class RecommendationEngine {
  readonly catalogue: ServingCatalogue;
  private readonly registry: ModelRegistry;
  private served: Served | null = null;
  private swapping: Promise<void> = Promise.resolve();
  private subscription: Subscription | undefined;
  private timers: NodeJS.Timeout[] = [];
  private ranker: RankerThread | null = null;
  private stopped = false;
  /**
   * Each person's registered events, between their requests. A registration through this
   * instance forgets the person's entry at once (`forgetHistory`), one through another
   * instance when its `registration.*` message arrives. Anything else is caught by reading a
   * kept history again once it is old, in the background (stale while revalidate): with a plain
   * expiry, everyone whose history was read in the same few seconds, as after a restart,
   * expired together and queued on PostgreSQL together a minute later. Each entry's age for
   * that is drawn between half and all of `historyRefreshMs`, so such a crowd's background
   * reads spread over half a minute instead of coming back in the few seconds they were read in.
   */
  private readonly histories: LRUCache<string, { rows: HistoryRow[]; refreshAt: number }>;
  /**
   * Reads in flight, by person: a read that was forgotten meanwhile is not kept. (lru-cache's
   * own `fetch` would abort such a read and fail its request instead of answering uncached.)
   */
  private readonly reading = new Map<string, symbol>();
  private readonly historyReader: HistoryReader;
  private readonly metrics: {
    version: Gauge;
    swaps: Counter<'outcome'>;
    served: Counter<'endpoint' | 'strategy'>;
    rankerFailures: Counter;
  };

  constructor(
    private readonly deps: {
      sql: SqlDatabase;
      /** The NATS side, where `ml.model.promoted` arrives. */
      log: MessageLog;
      logger: Logger;
      metrics: Registry;
      decodeContent?: ContentDecoder;
      recentViews?: (since: Date) => Promise<Map<string, number>>;
      options?: RecommendationEngineOptions;
      now?: () => Date;
      instanceId?: string;
    },
  ) {
    this.registry = new ModelRegistry(deps.sql);
    this.historyReader = new HistoryReader(deps.sql);
    this.histories = new LRUCache({
      max: deps.options?.historyCacheSize ?? 100_000,
      ttl: deps.options?.historyTtlMs ?? 600_000,
    });
    this.catalogue = new ServingCatalogue({
      sql: deps.sql,
      recentViews: deps.recentViews,
      now: deps.now,
    });
    const registers = [deps.metrics];
    this.metrics = {
      version: new Gauge({
        name: 'ml_serving_model_version',
        help: 'Version of the model this instance serves (0: none yet)',
        registers,
      }),
      swaps: new Counter({
        name: 'ml_model_swaps_total',
        help: 'Model swaps by outcome (swapped, failed)',
        labelNames: ['outcome'] as const,
        registers,
      }),
      served: new Counter({
        name: 'recommendations_served_total',
        help: 'Recommendation lists served by endpoint and strategy (personalised, trending)',
        labelNames: ['endpoint', 'strategy'] as const,
        registers,
      }),
      rankerFailures: new Counter({
        name: 'recommendations_ranker_thread_failures_total',
        help: 'Ranker thread failures (each one restarts it; requests meanwhile rank in-thread)',
        registers,
      }),
    };
    this.metrics.version.set(0);
  }

  get modelVersion(): number | null {
    return this.served?.model.version ?? null;
  }

  async start(): Promise<void> {
    if (this.deps.options?.rankingThread) this.ranker = await this.startRanker();
    // A database without the schema yet (migrations still to run) is not fatal: the timers
    // below try again, and recommendations fall back to trending meanwhile.
    await this.refreshCatalogue().catch((err: unknown) =>
      this.deps.logger.warn({ err }, 'catalogue not loaded yet; retrying on the next refresh'),
    );
    await this.refreshTrend().catch((err: unknown) =>
      this.deps.logger.warn({ err }, 'trend scores unavailable'),
    );
    await this.reload();
    this.subscription = await this.deps.log.consume({
      // Every instance hears every promotion and new registration: its own group, from the end.
      group: `ml-serving-${this.deps.instanceId ?? newId()}`,
      topics: [
        subjects.modelPromoted,
        subjects.registrationConfirmed,
        subjects.registrationWaitlisted,
      ],
      from: 'end',
      handle: async (batch) => {
        let promoted = false;
        for (const d of batch) {
          if (d.topic === subjects.modelPromoted) promoted = true;
          else this.forgetRegistrant(d.value);
          d.ack();
        }
        if (promoted) await this.reload();
      },
    });
    const o = this.deps.options ?? {};
    const every = (ms: number, fn: () => Promise<unknown>, what: string) => {
      const t = setInterval(() => {
        fn().catch((err: unknown) => this.deps.logger.warn({ err }, `${what} failed`));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(o.catalogueRefreshMs ?? 5_000, () => this.refreshCatalogue(), 'catalogue refresh');
    every(o.trendRefreshMs ?? 60_000, () => this.refreshTrend(), 'trend refresh');
    every(o.modelPollMs ?? 30_000, () => this.reload(), 'model poll');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.subscription?.stop();
    await this.swapping;
    await this.ranker?.close();
    this.ranker = null;
  }

  /** A ranker thread with the current state; null (rank in-thread) if none can start. */
  private async startRanker(): Promise<RankerThread | null> {
    try {
      const ranker = await RankerThread.start((err) => {
        this.metrics.rankerFailures.inc();
        this.deps.logger.error({ err }, 'ranker thread failed; ranking in-thread until restarted');
        if (this.ranker === ranker) this.ranker = null;
        if (!this.stopped) void this.startRanker().then((next) => (this.ranker ??= next));
      });
      if (this.stopped) {
        await ranker.close();
        return null;
      }
      // Everything it needs, in one go (it hears every later change in order).
      ranker.describe([...this.catalogue.values()]);
      if (this.served) this.syncIndex(ranker, this.served);
      return ranker;
    } catch (err) {
      this.deps.logger.warn({ err }, 'no ranker thread; ranking in-thread');
      return null;
    }
  }

  private syncIndex(ranker: RankerThread, served: Served): void {
    const { index, model } = served;
    ranker.reset(model.k, model.centroids, index.size + 64);
    ranker.place(placements(index, index.keys()));
  }

  /** Loads the live model if it is not the one served; serialised so swaps never interleave. */
  reload(): Promise<void> {
    this.swapping = this.swapping.then(async () => {
      let version: number | null;
      try {
        version = await this.registry.liveVersion();
      } catch (err) {
        this.deps.logger.warn({ err }, 'model registry unavailable; trying again later');
        return;
      }
      if (version === null || version === this.served?.model.version) return;
      try {
        const live = await this.registry.live();
        if (!live) return;
        const model = decodeServingModel(
          live.artifact,
          live.summary.version,
          this.deps.decodeContent,
        );
        const index = new CandidateIndex(model.k, model.centroids, this.catalogue.size + 64);
        for (const entry of this.catalogue.values()) this.place(model, index, entry);
        this.served = { model, index };
        if (this.ranker) this.syncIndex(this.ranker, this.served);
        this.metrics.version.set(model.version);
        this.metrics.swaps.inc({ outcome: 'swapped' });
        this.deps.logger.info(
          {
            version: model.version,
            users: model.numUsers,
            items: model.numItems,
            candidates: index.size,
          },
          `serving model ${model.version}`,
        );
      } catch (err) {
        this.metrics.swaps.inc({ outcome: 'failed' });
        this.deps.logger.error(
          { err, version },
          'model swap failed; still serving the previous one',
        );
      }
    });
    return this.swapping;
  }

  async refreshCatalogue(): Promise<void> {
    const { upserted, removed } = await this.catalogue.refresh();
    this.ranker?.remove(removed);
    for (const id of removed) this.served?.index.remove(id);
    // Events already indexed keep their vector; their facts (start, category) may have moved.
    this.describe(upserted);
    const served = this.served;
    if (!served) return;
    const placed = upserted.filter((entry) => this.place(served.model, served.index, entry));
    this.ranker?.place(
      placements(
        served.index,
        placed.map((e) => e.id),
      ),
    );
  }

  async refreshTrend(): Promise<void> {
    this.describe(await this.catalogue.refreshTrend());
  }

  /** New facts of catalogue entries, to the served index and the ranker thread alike. */
  private describe(entries: readonly CatalogueEntry[]): void {
    this.ranker?.describe(entries);
    for (const entry of entries) this.served?.index.setFacts(entry.id, entry);
  }

  /** Adds an event the index does not have yet; true if it did. */
  private place(model: ServingModel, index: CandidateIndex, entry: CatalogueEntry): boolean {
    if (index.has(entry.id)) return false;
    const placed = model.itemVector(entry);
    if (placed) {
      index.upsert(entry.id, placed.vector);
      index.setFacts(entry.id, entry);
    }
    return placed !== null;
  }

  async recommend(
    userId: string | null,
    options: { limit: number; city?: string },
  ): Promise<RecommendationsResponse> {
    const now = this.now();
    const history = userId ? await this.history(userId) : [];
    const exclude = new Set(history.map((h) => h.event_id));
    const served = this.served;
    if (served && userId) {
      const vectors: HistoryItem[] = [];
      const unplaced: string[] = [];
      for (const h of history) {
        const v = served.index.vectorOf(h.event_id) ?? served.model.collaborativeVector(h.event_id);
        if (v) vectors.push({ eventId: h.event_id, title: h.title, vector: Float32Array.from(v) });
        else unplaced.push(h.event_id);
      }
      // Past or draft events the model has no factors for: embed their text (rare).
      for (const text of unplaced.length > 0 ? await this.texts(unplaced) : []) {
        const v = served.model.itemVector(text)?.vector;
        if (v) vectors.push({ eventId: text.id, title: text.title, vector: Float32Array.from(v) });
      }
      const user = served.model.userVector(
        userId,
        vectors.map((v) => v.vector),
      );
      if (user) {
        const job: RankJob = {
          user: Float32Array.from(user),
          history: vectors,
          exclude: [...exclude],
          trending: TRENDING_CANDIDATES,
          limit: options.limit,
          now,
        };
        const ranked = await this.rank(served, job);
        return this.respond('recommendations', 'personalised', served.model.version, ranked);
      }
    }
    const ranked = this.trendingRanked({ limit: options.limit, city: options.city }, exclude, now);
    return this.respond('recommendations', 'trending', served?.model.version ?? null, ranked);
  }

  /**
   * On the ranker thread when there is one and it holds `served` (a swap during this request's
   * awaits moves it to the next model), else here; a failed thread only costs the hop.
   */
  private async rank(served: Served, job: RankJob): Promise<Ranked[]> {
    const ranker = this.ranker;
    if (ranker?.healthy && served === this.served) {
      try {
        return await ranker.rank(job);
      } catch (err) {
        this.deps.logger.debug({ err }, 'ranked in-thread: the ranker thread did not answer');
      }
    }
    const exclude = new Set(job.exclude);
    return rankForUser({
      index: served.index,
      info: (id) => this.catalogue.get(id),
      ...job,
      exclude,
      extra: this.catalogue.trendingIds(job.trending, exclude, job.now),
    });
  }

  /** Null when the event is unknown or not visible (drafts). */
  async similar(eventId: string, limit: number): Promise<RecommendationsResponse | null> {
    const served = this.served;
    const now = this.now();
    const entry = this.catalogue.get(eventId) ?? (await this.lookup(eventId));
    if (!entry) return null;
    const vector = served
      ? (served.index.vectorOf(eventId) ?? served.model.itemVector(entry)?.vector)
      : undefined;
    if (served && vector) {
      const ranked = rankSimilar({
        index: served.index,
        info: (id) => this.catalogue.get(id),
        eventId,
        title: entry.title,
        vector: Float32Array.from(vector),
        limit,
        now,
      });
      return this.respond('similar', 'personalised', served.model.version, ranked);
    }
    // Without a model: what is hot in the same category.
    const ranked = this.trendingRanked(
      { limit, category: entry.category },
      new Set([eventId]),
      now,
    );
    return this.respond('similar', 'trending', served?.model.version ?? null, ranked);
  }

  trending(options: { limit: number; city?: string; category?: string }): RecommendationsResponse {
    const ranked = this.trendingRanked(options, new Set(), this.now());
    return this.respond('trending', 'trending', this.modelVersion, ranked);
  }

  /** Trend from recent registrations and views, favouring events that start soon. */
  private trendingRanked(
    options: { limit: number; city?: string; category?: string },
    exclude: ReadonlySet<string>,
    now: number,
  ): Ranked[] {
    return this.trendingHead(options.limit, options, exclude, now).map(({ entry, score }) => ({
      eventId: entry.id,
      score: Math.round(score * 1e4) / 1e4,
      reasons: [
        entry.trend >= 0.2
          ? { kind: 'trending' as const, text: `Popular in ${entry.city}` }
          : { kind: 'soon' as const, text: `Coming up in ${entry.city}` },
      ],
    }));
  }

  private trendingHead(
    limit: number,
    filter: { city?: string; category?: string },
    exclude: ReadonlySet<string>,
    now: number,
  ): { entry: CatalogueEntry; score: number }[] {
    const city = filter.city?.toLowerCase();
    const head: { entry: CatalogueEntry; score: number }[] = [];
    // Walk the catalogue's cached trend order; only the head is ever read.
    this.catalogue.walkTrend(now, (entry, score) => {
      if (exclude.has(entry.id) || entry.startsAt <= now) return true;
      if (city && entry.city.toLowerCase() !== city) return true;
      if (filter.category && entry.category !== filter.category) return true;
      head.push({ entry, score });
      return head.length < limit;
    });
    return head;
  }

  private respond(
    endpoint: Endpoint,
    strategy: 'personalised' | 'trending',
    modelVersion: number | null,
    ranked: readonly Ranked[],
  ): RecommendationsResponse {
    this.metrics.served.inc({ endpoint, strategy });
    const items = [];
    for (const r of ranked) {
      const entry = this.catalogue.get(r.eventId);
      if (entry) items.push({ event: entry.summary, score: r.score, reasons: r.reasons });
    }
    return { modelVersion, strategy, items };
  }

  /** Call when the person registered for something: their next request reads it again. */
  forgetHistory(userId: string): void {
    this.histories.delete(userId);
    this.reading.delete(userId);
  }

  private forgetRegistrant(value: Uint8Array): void {
    try {
      const message = domainMessageSchema.parse(JSON.parse(Buffer.from(value).toString('utf8')));
      if ('userId' in message.data) this.forgetHistory(message.data.userId);
    } catch (err) {
      this.deps.logger.warn({ err }, 'unreadable registration message; histories expire anyway');
    }
  }

  private history(userId: string): Promise<HistoryRow[]> {
    const kept = this.histories.get(userId);
    if (!kept) return this.readHistory(userId);
    if (this.now() >= kept.refreshAt && !this.reading.has(userId)) {
      this.readHistory(userId).catch((err: unknown) =>
        this.deps.logger.debug({ err }, 'history not read again; the kept one stays'),
      );
    }
    return Promise.resolve(kept.rows);
  }

  /** Reads and keeps a person's history, unless it was forgotten while being read. */
  private async readHistory(userId: string): Promise<HistoryRow[]> {
    const read = Symbol(userId);
    this.reading.set(userId, read);
    try {
      const readAt = this.now();
      const rows = await this.historyReader.read(userId);
      const refreshMs = this.deps.options?.historyRefreshMs ?? 60_000;
      // In (refreshMs / 2, refreshMs]: never later than the documented bound.
      const refreshAt = readAt + refreshMs * (1 - Math.random() / 2);
      if (this.reading.get(userId) === read) this.histories.set(userId, { rows, refreshAt });
      return rows;
    } finally {
      if (this.reading.get(userId) === read) this.reading.delete(userId);
    }
  }

  private async texts(ids: readonly string[]): Promise<EventText[]> {
    const { rows } = await this.deps.sql.query<EventText>(
      `SELECT id, title, description, category, tags FROM events WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows;
  }

  private async lookup(eventId: string): Promise<EventText | undefined> {
    const { rows } = await this.deps.sql.query<EventText>(
      `SELECT id, title, description, category, tags FROM events WHERE id = $1 AND status <> 'draft'`,
      [eventId],
    );
    return rows[0];
  }

  private now(): number {
    return (this.deps.now?.() ?? new Date()).getTime();
  }
}

/** Indexed events with their vectors and inverted lists, as the ranker thread takes them. */
function placements(
  index: CandidateIndex,
  ids: Iterable<string>,
): { id: string; vector: Float32Array; list: number }[] {
  const out: { id: string; vector: Float32Array; list: number }[] = [];
  for (const id of ids) out.push({ id, vector: index.vectorOf(id)!, list: index.listFor(id) });
  return out;
}
