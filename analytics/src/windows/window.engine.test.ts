import { seededRandom } from '@platform/kit';
import { describe, expect, it } from 'vitest';
import {
  WindowEngine,
  windowStartOf,
  type WindowDelta,
  type WindowInput,
} from './window.engine.js';

const MIN = 60_000;
const T0 = Date.parse('2024-06-01T12:00:00Z');
let seq = 0;
const rec = (eventTime: number, over: Partial<WindowInput> = {}): WindowInput => ({
  id: `i-${++seq}`,
  type: 'view',
  eventId: 'e-1',
  userKey: 'u-1',
  eventTime,
  partition: 'p0',
  ...over,
});

/** Merges deltas the way the store does: sets per window key. */
function merge(deltas: WindowDelta[], into = new Map<string, Map<string, string>>()) {
  for (const d of deltas) {
    const key = `${d.windowStart}|${d.eventId}|${d.type}`;
    const set = into.get(key) ?? new Map<string, string>();
    d.interactionIds.forEach((id, i) => set.set(id, d.userKeys[i]!));
    into.set(key, set);
  }
  return into;
}
const figures = (merged: Map<string, Map<string, string>>) =>
  Object.fromEntries(
    [...merged].map(([k, m]) => [k, { count: m.size, users: new Set(m.values()).size }]),
  );

describe('window assignment', () => {
  it('aligns one-minute windows to the epoch, start inclusive and end exclusive', () => {
    expect(windowStartOf(T0, MIN)).toBe(T0);
    expect(windowStartOf(T0 + MIN - 1, MIN)).toBe(T0);
    expect(windowStartOf(T0 + MIN, MIN)).toBe(T0 + MIN);
    expect(windowStartOf(T0 + 59_999 + 1, MIN)).toBe(T0 + MIN);
    expect(windowStartOf(T0 + 7 * 1000, 5 * MIN)).toBe(T0);
  });

  it('counts distinct interactions and distinct people per (window, event, type)', () => {
    const engine = new WindowEngine();
    const step = engine.process(
      [
        rec(T0 + 1_000, { id: 'a', userKey: 'u1' }),
        rec(T0 + 2_000, { id: 'b', userKey: 'u1' }),
        rec(T0 + 3_000, { id: 'b', userKey: 'u1' }), // a duplicate message
        rec(T0 + 4_000, { id: 'c', userKey: 's:anon' }),
        rec(T0 + 5_000, { id: 'd', userKey: 'u2', type: 'click' }),
        rec(T0 + 6_000, { id: 'e', userKey: 'u3', eventId: null, type: 'search' }),
        rec(T0 + MIN, { id: 'f', userKey: 'u1' }),
      ],
      0,
    );
    expect(figures(merge(step.deltas))).toEqual({
      [`${T0}|e-1|view`]: { count: 3, users: 2 },
      [`${T0}|e-1|click`]: { count: 1, users: 1 },
      [`${T0}||search`]: { count: 1, users: 1 },
      [`${T0 + MIN}|e-1|view`]: { count: 1, users: 1 },
    });
    expect(step.accepted).toHaveLength(7);
    expect(step.late).toEqual([]);
  });

  it('rejects nonsense options', () => {
    expect(() => new WindowEngine({ windowMs: 0 })).toThrow(RangeError);
    expect(() => new WindowEngine({ delayMs: -1 })).toThrow(RangeError);
  });
});

describe('watermarks', () => {
  it('keeps one per partition: highest event time seen minus the delay', () => {
    const engine = new WindowEngine({ delayMs: 10_000 });
    engine.process([rec(T0 + 50_000), rec(T0 + 20_000), rec(T0 + 5_000, { partition: 'p1' })], 0);
    expect(engine.watermarkOf('p0')).toBe(T0 + 40_000);
    expect(engine.watermarkOf('p1')).toBe(T0 - 5_000);
    expect(engine.watermarkOf('p2')).toBeNull();
  });

  it('takes the minimum across active partitions as the global watermark', () => {
    const engine = new WindowEngine({ delayMs: 10_000 });
    const step = engine.process([rec(T0 + 90_000), rec(T0 + 30_000, { partition: 'p1' })], 0);
    expect(step.watermark).toBe(T0 + 20_000);
    expect(step.partitions).toEqual([
      { partition: 'p0', maxEventTime: T0 + 90_000, watermark: T0 + 80_000 },
      { partition: 'p1', maxEventTime: T0 + 30_000, watermark: T0 + 20_000 },
    ]);
  });

  it('skips a partition idle for the idle timeout, and never moves back', () => {
    const engine = new WindowEngine({ delayMs: 10_000, idleTimeoutMs: 30_000 });
    engine.process([rec(T0 + 90_000), rec(T0 + 30_000, { partition: 'p1' })], 0);
    expect(engine.process([rec(T0 + 100_000)], 29_999).watermark).toBe(T0 + 20_000);
    expect(engine.process([rec(T0 + 110_000)], 30_000).watermark).toBe(T0 + 100_000);
    // p1 wakes up far behind: the global watermark holds instead of going back.
    expect(engine.process([rec(T0 + 31_000, { partition: 'p1' })], 31_000).watermark).toBe(
      T0 + 100_000,
    );
  });

  it('releases windows held back by a partition once it has been idle long enough', () => {
    const engine = new WindowEngine({ delayMs: 10_000, idleTimeoutMs: 30_000 });
    engine.process([rec(T0 + 5_000), rec(T0 + 200_000, { partition: 'p1' })], 0);
    expect(engine.process([rec(T0 + 201_000, { partition: 'p1' })], 29_999).emitted).toEqual([]);
    const released = engine.process([rec(T0 + 202_000, { partition: 'p1' })], 30_000);
    expect(released.emitted.map((w) => w.windowStart)).toEqual([T0]);
    expect(released.watermark).toBe(T0 + 192_000);
  });

  it('holds the watermark when every partition is idle', () => {
    const engine = new WindowEngine({ delayMs: 10_000, idleTimeoutMs: 30_000 });
    engine.process([rec(T0 + 5_000)], 0);
    expect(engine.tick(3_600_000).watermark).toBe(T0 - 5_000);
  });
});

describe('emission and lateness', () => {
  it('emits a window when the global watermark reaches its end, not a millisecond before', () => {
    const engine = new WindowEngine({ delayMs: 10_000 });
    engine.process([rec(T0 + 1_000), rec(T0 + 2_000, { type: 'click' })], 0);
    expect(engine.process([rec(T0 + MIN + 9_999)], 0).emitted).toEqual([]);
    const step = engine.process([rec(T0 + MIN + 10_000)], 0);
    expect(step.emitted).toEqual([
      { windowStart: T0, windowEnd: T0 + MIN, eventId: 'e-1', type: 'view', records: 1 },
      { windowStart: T0, windowEnd: T0 + MIN, eventId: 'e-1', type: 'click', records: 1 },
    ]);
    // Emitted once only.
    expect(engine.process([rec(T0 + MIN + 20_000)], 0).emitted).toEqual([]);
  });

  it('updates an emitted window with records inside the allowed lateness', () => {
    const engine = new WindowEngine({ delayMs: 10_000, allowedLatenessMs: 3_600_000 });
    engine.process([rec(T0 + 1_000, { id: 'first' })], 0);
    engine.process([rec(T0 + 30 * MIN)], 0);
    const step = engine.process([rec(T0 + 2_000, { id: 'late-ok', userKey: 'u9' })], 0);
    expect(step.late).toEqual([]);
    expect(step.acceptedLate).toBe(1);
    expect(step.updated).toEqual([{ windowStart: T0, eventId: 'e-1', type: 'view' }]);
    expect(figures(merge(step.deltas))).toEqual({
      [`${T0}|e-1|view`]: { count: 1, users: 1 },
    });
  });

  it('sends a record to the dead letters once its partition is past end + allowed lateness', () => {
    const L = 3_600_000;
    const engine = new WindowEngine({ delayMs: 10_000, allowedLatenessMs: L });
    // Watermark exactly one millisecond short of end + L: still accepted.
    engine.process([rec(T0 + MIN + L + 10_000 - 1)], 0);
    const ok = engine.process([rec(T0 + 5_000, { id: 'just-in-time' })], 0);
    expect(ok.late).toEqual([]);
    // Watermark at end + L: too late.
    engine.process([rec(T0 + MIN + L + 10_000)], 0);
    const step = engine.process([rec(T0 + 5_000, { id: 'too-late' })], 0);
    expect(step.accepted).toEqual([]);
    expect(step.deltas).toEqual([]);
    expect(step.late).toHaveLength(1);
    expect(step.late[0]).toMatchObject({
      record: { id: 'too-late' },
      windowStart: T0,
      windowEnd: T0 + MIN,
      watermark: T0 + MIN + L,
    });
    expect(step.late[0]!.reason).toMatch(/^too late: window \[2024-06-01T12:00:00\.000Z/);
  });

  it('judges lateness against the record’s own partition, not the fastest one', () => {
    const engine = new WindowEngine({ delayMs: 10_000, allowedLatenessMs: 60_000 });
    engine.process([rec(T0 + 10 * MIN), rec(T0 + 5_000, { partition: 'p1' })], 0);
    const step = engine.process(
      [rec(T0 + 1_000, { partition: 'p1', id: 'slow-partition' }), rec(T0 + 1_000, { id: 'fast' })],
      0,
    );
    expect(step.accepted.map((r) => r.id)).toEqual(['slow-partition']);
    expect(step.late.map((l) => l.record.id)).toEqual(['fast']);
  });

  it('does not let a too-late record move its partition’s watermark', () => {
    const engine = new WindowEngine({ delayMs: 0, allowedLatenessMs: 0 });
    engine.process([rec(T0 + 5 * MIN)], 0);
    engine.process([rec(T0)], 0);
    expect(engine.watermarkOf('p0')).toBe(T0 + 5 * MIN);
  });
});

describe('determinism', () => {
  /** A stream over 4 partitions with out-of-order, duplicate and very late records. */
  function stream(n: number, seed: number) {
    const random = seededRandom(seed);
    const records: WindowInput[] = [];
    for (let i = 0; i < n; i++) {
      const partition = `p${Math.floor(random() * 4)}`;
      let t = T0 + i * 200 - Math.floor(random() * 40_000);
      if (random() < 0.01) t -= 2 * 3_600_000;
      records.push({
        id: `r${i}`,
        type: random() < 0.5 ? 'view' : 'impression',
        eventId: `e${Math.floor(random() * 5)}`,
        userKey: `u${Math.floor(random() * 50)}`,
        eventTime: t,
        partition,
      });
      if (random() < 0.01) records.push({ ...records.at(-1)! });
    }
    return records;
  }

  function run(records: WindowInput[], cut: () => number, restartAt?: number) {
    let engine = new WindowEngine();
    const merged = new Map<string, Map<string, string>>();
    const late: string[] = [];
    for (let i = 0; i < records.length;) {
      if (restartAt !== undefined && i >= restartAt) {
        // A new process restores each partition's highest event time so far.
        const fresh = new WindowEngine();
        for (const p of ['p0', 'p1', 'p2', 'p3']) {
          const seen = records.slice(0, i).filter((r) => r.partition === p);
          const accepted = seen.map((r) => r.eventTime);
          fresh.restore(p, accepted.length ? Math.max(...accepted) : null, 0);
        }
        engine = fresh;
        restartAt = undefined;
      }
      const batch = records.slice(i, i + cut());
      const step = engine.process(batch, 0);
      merge(step.deltas, merged);
      late.push(...step.late.map((l) => l.record.id));
      i += batch.length;
    }
    return { figures: figures(merged), late: late.sort() };
  }

  it('gives the same windows and the same late records however batches are cut', () => {
    const records = stream(6_000, 7);
    const random = seededRandom(3);
    const whole = run(records, () => records.length);
    const ones = run(records, () => 1);
    const ragged = run(records, () => 1 + Math.floor(random() * 700));
    expect(whole.late.length).toBeGreaterThan(20);
    expect(ones).toEqual(whole);
    expect(ragged).toEqual(whole);
  });

  it('gives the same result after a restart that restores each partition’s watermark', () => {
    const records = stream(6_000, 11);
    const whole = run(records, () => 500);
    const restarted = run(records, () => 333, 2_997);
    expect(restarted).toEqual(whole);
  });

  it('depends only on per-partition order, not on how partitions interleave', () => {
    const records = stream(4_000, 5);
    const byPartition = ['p3', 'p1', 'p0', 'p2'].flatMap((p) =>
      records.filter((r) => r.partition === p),
    );
    expect(run(byPartition, () => 250)).toEqual(run(records, () => 250));
  });
});
