/**
 * Event-time tumbling windows with watermarks: pure, no I/O, no clock of its own (the caller
 * passes `now` for idleness), so every rule here is tested directly.
 *
 * Windows are `windowMs` long and aligned to the epoch: [start, start + windowMs), start
 * inclusive, end exclusive, keyed by (window start, event id, interaction type).
 *
 * Two watermarks, for two jobs:
 * - A partition's watermark is the highest event time seen in that partition minus `delayMs`.
 *   Lateness is judged against the record's own partition's watermark, as it stood before the
 *   record (Kafka Streams judges its grace period against per-task stream time the same way).
 *   That watermark is a function of the partition's log order alone, so a replay after a crash,
 *   and an offline pass over the topic, make exactly the same decision for every record.
 * - The global watermark is the minimum over partitions that are not idle (no record for
 *   `idleTimeoutMs` of wall-clock time), never moving back. It decides when a window is complete
 *   (emitted) and when an accepted record is an update to an emitted window. It depends on how
 *   partitions interleave and on idleness, so it drives only emission and metrics, never
 *   which records count.
 *
 * A record is too late, and goes to the caller's dead letters instead of a window, when its
 * partition's watermark has reached its window's end plus `allowedLatenessMs`.
 *
 * The engine does not hold window contents. Each `process` call returns the call's deltas: per
 * window, the set of interaction ids and the person behind each. The store merges deltas as sets
 * (uniqExact states), so the figures stay exact when a delta is written twice; the engine only
 * keeps per-partition watermarks, the keys of windows not yet emitted, and for the last hour one
 * "emitted" mark per window end.
 */

export interface WindowOptions {
  windowMs: number;
  delayMs: number;
  allowedLatenessMs: number;
  idleTimeoutMs: number;
}

export const defaultWindowOptions: WindowOptions = {
  windowMs: 60_000,
  delayMs: 10_000,
  allowedLatenessMs: 3_600_000,
  idleTimeoutMs: 30_000,
};

/** What the engine needs from an interaction. */
export interface WindowInput {
  id: string;
  type: string;
  /** Null for interactions about no event (searches): windowed under ''. */
  eventId: string | null;
  /** The person: user id, or session id when anonymous. */
  userKey: string;
  /** Event time, epoch milliseconds. */
  eventTime: number;
  /** Where the record came from, e.g. `interactions.v1:3`; watermarks are kept per partition. */
  partition: string;
}

export interface WindowKey {
  windowStart: number;
  eventId: string;
  type: string;
}

export interface WindowDelta extends WindowKey {
  /** The accepted records of one `process` call, in parallel: the i-th interaction id and the
   * person behind it. A duplicate may appear twice; the store merges them as sets. */
  interactionIds: string[];
  userKeys: string[];
}

export interface LateRecord<T extends WindowInput> {
  record: T;
  windowStart: number;
  windowEnd: number;
  /** The record's partition's watermark when it arrived. */
  watermark: number;
  reason: string;
}

export interface EmittedWindow extends WindowKey {
  windowEnd: number;
  /** Records this process accepted into the window (duplicates included). The exact figures
   * are the merged sets in the store. */
  records: number;
}

export interface PartitionProgress {
  partition: string;
  /** Highest event time seen; null before the first record. */
  maxEventTime: number | null;
  watermark: number | null;
}

export interface WindowStep<T extends WindowInput> {
  deltas: WindowDelta[];
  /** Accepted records, in input order. */
  accepted: T[];
  /** Accepted records whose window was already emitted (allowed lateness at work). */
  acceptedLate: number;
  late: LateRecord<T>[];
  /** Windows the global watermark completed in this call. */
  emitted: EmittedWindow[];
  /** Emitted windows that received records in this call. */
  updated: WindowKey[];
  /** Global watermark after the call; null until some partition has one. */
  watermark: number | null;
  /** The partitions this call saw, after it. */
  partitions: PartitionProgress[];
}

interface PartitionState {
  maxEventTime: number | null;
  lastActive: number;
}

interface TrackedWindow extends WindowKey {
  records: number;
}

/**
 * The windows sharing one end: the global watermark completes them all at once. Their keys are
 * kept only until then; an emitted end remembers nothing but that it was emitted, so an hour of
 * allowed lateness costs one entry per minute, however many events and types there are.
 */
interface WindowsEndingAt {
  /** Null once emitted. */
  windows: Map<string, TrackedWindow> | null;
}

const keyOf = (start: number, eventId: string, type: string) => `${start}|${eventId}|${type}`;

export const windowStartOf = (eventTime: number, windowMs: number) =>
  Math.floor(eventTime / windowMs) * windowMs;

export class WindowEngine {
  readonly options: WindowOptions;
  private readonly partitions = new Map<string, PartitionState>();
  /** Windows not yet past their allowed lateness, by window end. */
  private readonly byEnd = new Map<number, WindowsEndingAt>();
  private globalWatermark: number | null = null;

  constructor(options: Partial<WindowOptions> = {}) {
    this.options = { ...defaultWindowOptions, ...options };
    const { windowMs, delayMs, allowedLatenessMs, idleTimeoutMs } = this.options;
    if (!(windowMs > 0) || delayMs < 0 || allowedLatenessMs < 0 || !(idleTimeoutMs > 0)) {
      throw new RangeError(`invalid window options: ${JSON.stringify(this.options)}`);
    }
  }

  /** True when the engine has a watermark state for the partition (seen or restored). */
  knows(partition: string): boolean {
    return this.partitions.has(partition);
  }

  /**
   * Sets a partition's state to what it was at some offset: the highest event time below it
   * (null: none). Used after a crash, a rebalance or a failed write, before redelivery.
   */
  restore(partition: string, maxEventTime: number | null, now: number): void {
    this.partitions.set(partition, { maxEventTime, lastActive: now });
  }

  /** Drops a partition's state; the caller restores it before the partition's next records. */
  forget(partition: string): void {
    this.partitions.delete(partition);
  }

  maxEventTimeOf(partition: string): number | null {
    return this.partitions.get(partition)?.maxEventTime ?? null;
  }

  watermarkOf(partition: string): number | null {
    const max = this.partitions.get(partition)?.maxEventTime ?? null;
    return max === null ? null : max - this.options.delayMs;
  }

  get watermark(): number | null {
    return this.globalWatermark;
  }

  /** Records of one batch, in log order per partition. `now` is wall-clock time, for idleness. */
  process<T extends WindowInput>(records: readonly T[], now: number): WindowStep<T> {
    const { windowMs, allowedLatenessMs, delayMs } = this.options;
    // Per window of this call: its delta, and where its records are counted until emission
    // (null: the window was already emitted, so each record is an update). Emission happens
    // only after the loop, so what a window's first record finds holds for the whole call.
    const deltas = new Map<string, { delta: WindowDelta; tracked: TrackedWindow | null }>();
    const accepted: T[] = [];
    const late: LateRecord<T>[] = [];
    const updated = new Map<string, WindowKey>();
    const touched = new Set<string>();
    let acceptedLate = 0;
    let partition: string | undefined;
    let state: PartitionState | undefined;

    for (const record of records) {
      // A batch's records come mostly from one partition: look its state up when it changes.
      if (record.partition !== partition || !state) {
        partition = record.partition;
        state = this.partitions.get(partition);
        if (!state) {
          state = { maxEventTime: null, lastActive: now };
          this.partitions.set(partition, state);
        }
        state.lastActive = now;
        touched.add(partition);
      }

      const windowStart = windowStartOf(record.eventTime, windowMs);
      const windowEnd = windowStart + windowMs;
      const watermark = state.maxEventTime === null ? null : state.maxEventTime - delayMs;
      if (watermark !== null && watermark >= windowEnd + allowedLatenessMs) {
        late.push({
          record,
          windowStart,
          windowEnd,
          watermark,
          reason:
            `too late: window [${new Date(windowStart).toISOString()}, ` +
            `${new Date(windowEnd).toISOString()}) closed for good when the partition's ` +
            `watermark passed ${new Date(windowEnd + allowedLatenessMs).toISOString()}; ` +
            `watermark was ${new Date(watermark).toISOString()}`,
        });
        continue;
      }
      if (state.maxEventTime === null || record.eventTime > state.maxEventTime) {
        state.maxEventTime = record.eventTime;
      }

      const eventId = record.eventId ?? '';
      const key = keyOf(windowStart, eventId, record.type);
      let window = deltas.get(key);
      if (!window) {
        const delta = { windowStart, eventId, type: record.type, interactionIds: [], userKeys: [] };
        window = { delta, tracked: this.track(key, windowStart, windowEnd, eventId, record.type) };
        deltas.set(key, window);
      }
      window.delta.interactionIds.push(record.id);
      window.delta.userKeys.push(record.userKey);
      accepted.push(record);
      if (window.tracked) {
        window.tracked.records++;
      } else {
        acceptedLate++;
        updated.set(key, { windowStart, eventId, type: record.type });
      }
    }

    this.advanceGlobalWatermark(now);
    const emitted: EmittedWindow[] = [];
    const global = this.globalWatermark;
    if (global !== null) {
      for (const [windowEnd, bucket] of this.byEnd) {
        if (bucket.windows && global >= windowEnd) {
          for (const w of bucket.windows.values()) emitted.push({ ...w, windowEnd });
          bucket.windows = null;
        }
        // Past its allowed lateness for the global watermark; a record for it from a partition
        // that lags behind still counts, and recreates the bucket as emitted.
        if (global >= windowEnd + allowedLatenessMs) this.byEnd.delete(windowEnd);
      }
    }
    emitted.sort((a, b) => a.windowStart - b.windowStart);

    return {
      deltas: Array.from(deltas.values(), (w) => w.delta),
      accepted,
      acceptedLate,
      late,
      emitted,
      updated: [...updated.values()],
      watermark: this.globalWatermark,
      partitions: [...touched].sort().map((partition) => ({
        partition,
        maxEventTime: this.partitions.get(partition)!.maxEventTime,
        watermark: this.watermarkOf(partition),
      })),
    };
  }

  /** Moves the global watermark with wall-clock time alone (idle partitions stop holding it). */
  tick(now: number): WindowStep<WindowInput> {
    return this.process([], now);
  }

  /** Where a window's records are counted until it is emitted; null once it was. */
  private track(
    key: string,
    windowStart: number,
    windowEnd: number,
    eventId: string,
    type: string,
  ): TrackedWindow | null {
    let bucket = this.byEnd.get(windowEnd);
    if (!bucket) {
      const emitted = this.globalWatermark !== null && this.globalWatermark >= windowEnd;
      bucket = { windows: emitted ? null : new Map() };
      this.byEnd.set(windowEnd, bucket);
    }
    if (!bucket.windows) return null;
    let tracked = bucket.windows.get(key);
    if (!tracked) {
      tracked = { windowStart, eventId, type, records: 0 };
      bucket.windows.set(key, tracked);
    }
    return tracked;
  }

  private advanceGlobalWatermark(now: number): void {
    let min: number | null = null;
    let active = 0;
    for (const state of this.partitions.values()) {
      if (now - state.lastActive >= this.options.idleTimeoutMs) continue;
      active++;
      // An active partition without any event time yet holds the watermark back entirely.
      if (state.maxEventTime === null) return;
      const w = state.maxEventTime - this.options.delayMs;
      if (min === null || w < min) min = w;
    }
    if (active === 0 || min === null) return;
    if (this.globalWatermark === null || min > this.globalWatermark) this.globalWatermark = min;
  }
}
