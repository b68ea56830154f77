import { setTimeout as sleep } from 'node:timers/promises';
import type { EventSummary } from '@platform/contracts';
import type { SqlDatabase } from '@platform/kit/sql';
import { toSnapshot, type EventRow } from '../events/event.mapper.js';
import { TrendOrder, type CandidateInfo, type EventText } from '@platform/ml/serving';

/** A recommendable event: published and upcoming. Counts lag the database by one refresh. */
export interface CatalogueEntry extends CandidateInfo, EventText {
  readonly summary: EventSummary;
  /** The event row's revision: changes with every change, counts included. */
  readonly revision: number;
}

const OVERLAP_MS = 10_000;
/** Smallest change of an event's trend score (0..1) that a refresh applies. */
export const TREND_STEP = 0.001;
/**
 * Scores or entries the trend refresh handles at a time, and the pause after each (ms). The
 * week's scores of 50,000 events in one go kept the event loop busy for about 50 ms in bench:ml,
 * a stall for every request arriving meanwhile. Each slice takes about a millisecond; the pause
 * is a timer rather than a turn of the event loop, so requests never wait behind more than one
 * slice and the refresh takes at most about half of the event loop while it runs.
 */
export const TREND_SLICE = 1_000;
const TREND_PAUSE_MS = 1;
/**
 * The serving copy of the events that can be recommended, kept in memory so a request scores
 * without a query per candidate. `refresh` reads only rows changed since the last one (events'
 * `updated_at` moves with every change, counts included); `refreshTrend` recomputes the trend
 * score from the last week's registrations and views.
 */
export class ServingCatalogue {
  private readonly entries = new Map<string, CatalogueEntry>();
  private watermark: Date | null = null;
  /** When the previous refresh started reading (our clock). */
  private lastReadAt: Date | null = null;
  private readonly order = new TrendOrder(() => this.entries.values());

  constructor(
    private readonly deps: {
      sql: SqlDatabase;
      /** Views per event over the last week, from the analytics store (may be absent). */
      recentViews?: (since: Date) => Promise<Map<string, number>>;
      now?: () => Date;
      /** Items per slice in `refreshTrend` (default TREND_SLICE). */
      trendSlice?: number;
    },
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: string): CatalogueEntry | undefined {
    return this.entries.get(id);
  }

  values(): IterableIterator<CatalogueEntry> {
    return this.entries.values();
  }

  /** Every entry by trend score, best first, until `visit` returns false (see TrendOrder). */
  walkTrend(now: number, visit: (entry: CatalogueEntry, score: number) => boolean): void {
    this.order.walk(now, visit);
  }

  /** The first `limit` upcoming events by trend score, leaving out `exclude`. */
  trendingIds(limit: number, exclude: ReadonlySet<string>, now: number): string[] {
    return this.order.head(limit, exclude, now);
  }

  /** Applies changes since the last refresh; returns the ids added or changed and removed. */
  async refresh(): Promise<{ upserted: CatalogueEntry[]; removed: string[] }> {
    const now = this.deps.now?.() ?? new Date();
    // `updated_at` is stamped before a transaction commits (after a lock wait of up to 3 s), so
    // a row can become visible with a time just below the watermark: read an overlap of
    // OVERLAP_MS again; unchanged revisions are skipped below. A row stamped more than
    // OVERLAP_MS before the previous read began was already visible to it, so the overlap
    // never reaches back past that: rows changed together (a bulk load) are not parsed again
    // on every refresh.
    const since =
      this.watermark &&
      new Date(Math.max(this.watermark.getTime(), this.lastReadAt?.getTime() ?? 0) - OVERLAP_MS);
    const rows = since
      ? await this.changedSince(since)
      : (
          await this.deps.sql.query<EventRow>(
            `SELECT * FROM events WHERE status = 'published' AND starts_at > $1 ORDER BY updated_at`,
            [now],
          )
        ).rows;
    this.lastReadAt = now;
    const upserted: CatalogueEntry[] = [];
    const removed: string[] = [];
    for (const row of rows) {
      if (row.status !== 'published' || new Date(row.starts_at) <= now) {
        if (this.entries.delete(row.id)) removed.push(row.id);
        continue;
      }
      // Rows at the watermark are read again; an unchanged revision is nothing new.
      const previous = this.entries.get(row.id);
      if (previous?.revision === row.revision) continue;
      // A changed row keeps its score; a new event scores 0 until the next trend refresh.
      const entry = this.entry(row, previous?.trend ?? 0);
      this.entries.set(row.id, entry);
      upserted.push(entry);
      const updated = new Date(row.updated_at);
      if (!this.watermark || updated > this.watermark) this.watermark = updated;
    }
    if (!this.watermark) this.watermark = now;
    if (upserted.length > 0 || removed.length > 0) this.order.invalidate();
    // Events that started since are no longer recommendable.
    for (const [id, entry] of this.entries) {
      if (entry.startsAt <= now.getTime()) {
        this.entries.delete(id);
        removed.push(id);
      }
    }
    return { upserted, removed };
  }

  /**
   * Rows changed since `since`, whole. The overlap brings back rows this catalogue may already
   * hold, so their revisions are read first and whole rows only for what is new or changed: a
   * bulk load of 50,000 events read again in full kept the event loop busy for a quarter of a
   * second, during requests.
   */
  private async changedSince(since: Date): Promise<EventRow[]> {
    const { rows: marks } = await this.deps.sql.query<{ id: string; revision: number }>(
      `SELECT id, revision FROM events WHERE updated_at >= $1`,
      [since],
    );
    const changed = marks
      .filter((m) => this.entries.get(m.id)?.revision !== m.revision)
      .map((m) => m.id);
    if (changed.length === 0) return [];
    const { rows } = await this.deps.sql.query<EventRow>(
      `SELECT * FROM events WHERE id = ANY($1::uuid[]) ORDER BY updated_at`,
      [changed],
    );
    return rows;
  }

  /**
   * Trend: registrations of the last 7 days, each weighing half as much every 2 days, plus a
   * tenth of the week's views, scaled so the hottest event scores 1. Returns the entries whose
   * score changed.
   */
  async refreshTrend(): Promise<CatalogueEntry[]> {
    const now = this.deps.now?.() ?? new Date();
    const since = new Date(now.getTime() - 7 * 86_400_000);
    // In double precision throughout: `extract` returns numeric (PostgreSQL 14 on), and numeric
    // power and sum over the week's 300,000 registrations in bench:ml took PostgreSQL 4.3 s of
    // CPU a minute, its aggregate states spilling to disk; in float8, 0.23 s.
    // One row holding every score as text ('<event id> <score>,...'), split below in slices:
    // as 50,000 rows, the driver parsed them on the event loop as fast as they came (about
    // 40 ms of the trend refresh's stall in a profile of bench:ml), a cost no slicing reached.
    const { rows } = await this.deps.sql.query<{ scores: string | null }>(
      `SELECT string_agg(event_id::text || ' ' || score::text, ',') AS scores
       FROM (
         SELECT event_id,
                sum(power(0.5::float8, extract(epoch FROM ($2::timestamptz - created_at))::float8 / 172800)) AS score
         FROM registrations
         WHERE created_at > $1 AND status <> 'cancelled'
         GROUP BY event_id
       ) AS week`,
      [since, now],
    );
    const slice = this.deps.trendSlice ?? TREND_SLICE;
    let handled = 0;
    /** True once every `slice` items: time to let requests run. */
    const due = () => ++handled % slice === 0;
    const pause = () => sleep(TREND_PAUSE_MS);
    // One map of raw scores, scaled while the entries are visited: a second map of the scaled
    // scores cost as much again (each operation on a map of 50,000 event ids takes about half a
    // microsecond on this machine).
    const raw = new Map<string, number>();
    const scores = rows[0]?.scores ?? '';
    for (let at = 0; at < scores.length;) {
      const space = scores.indexOf(' ', at);
      const comma = scores.indexOf(',', space);
      const end = comma < 0 ? scores.length : comma;
      raw.set(scores.slice(at, space), Number(scores.slice(space + 1, end)));
      at = end + 1;
      if (due()) await pause();
    }
    if (this.deps.recentViews) {
      for (const [id, views] of await this.deps.recentViews(since)) {
        raw.set(id, (raw.get(id) ?? 0) + 0.1 * views);
        if (due()) await pause();
      }
    }
    let max = 0;
    for (const v of raw.values()) if (v > max) max = v;
    const changed: CatalogueEntry[] = [];
    // Map iteration is live: the loop sees every entry still present when it gets there.
    for (const [id, entry] of this.entries) {
      const t = max > 0 ? (raw.get(id) ?? 0) / max : 0;
      // Decay moves every score a little at every refresh; only a move that could change a
      // ranking is applied (and sent to the ranker thread): re-describing all 50,000 events a
      // minute stalled requests for tens of milliseconds.
      if (Math.abs(t - entry.trend) >= TREND_STEP) {
        const next = { ...entry, trend: t };
        this.entries.set(id, next);
        changed.push(next);
      }
      // After the entry is replaced, never between reading it and replacing it: a catalogue
      // refresh in the pause may replace it with a newer row.
      if (due()) await pause();
    }
    // Unchanged, the order stands (rebuilding it scores all 50,000 events on the event loop).
    if (changed.length > 0) this.order.invalidate();
    return changed;
  }

  private entry(row: EventRow, trend: number): CatalogueEntry {
    const e = toSnapshot(row);
    const summary: EventSummary = {
      id: e.id,
      title: e.title,
      category: e.category,
      tags: e.tags,
      startsAt: e.startsAt,
      endsAt: e.endsAt,
      venue: e.venue,
      capacity: e.capacity,
      confirmedCount: e.confirmedCount,
      waitlistCount: e.waitlistCount,
    };
    return {
      id: row.id,
      title: row.title,
      description: row.description,
      category: row.category,
      tags: row.tags,
      city: row.city,
      startsAt: row.starts_at.getTime(),
      trend,
      revision: row.revision,
      summary,
    };
  }
}
