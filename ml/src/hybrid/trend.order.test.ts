import { describe, expect, it } from 'vitest';
import { TrendOrder, trendScore, type Trending } from './trend.order.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

describe('TrendOrder', () => {
  const events: Trending[] = Array.from({ length: 2_500 }, (_, i) => ({
    id: `e${i}`,
    trend: ((i * 7919) % 1000) / 1000,
    startsAt: NOW + (((i * 31) % 60) - 2) * DAY,
  }));

  it('walks every event by trend score, best first, past the sorted head', () => {
    const order = new TrendOrder(() => events);
    const walked: { id: string; score: number }[] = [];
    order.walk(NOW, (e, score) => {
      walked.push({ id: e.id, score });
      return true;
    });
    expect(walked).toHaveLength(events.length);
    expect(new Set(walked.map((w) => w.id)).size).toBe(events.length);
    for (let i = 1; i < walked.length; i++)
      expect(walked[i]!.score).toBeLessThanOrEqual(walked[i - 1]!.score);
    expect(walked[0]!.score).toBeCloseTo(Math.max(...events.map((e) => trendScore(e, NOW))), 5);
  });

  it('gives the head of upcoming events, leaving out the excluded, and sees changes after invalidate', () => {
    const live = [...events];
    const order = new TrendOrder(() => live);
    const all = order.head(10, new Set(), NOW);
    expect(all).toHaveLength(10);
    const byId = new Map(live.map((e) => [e.id, e]));
    for (const id of all) expect(byId.get(id)!.startsAt).toBeGreaterThan(NOW);
    const without = order.head(10, new Set(all.slice(0, 3)), NOW);
    expect(without.slice(0, 7)).toEqual(all.slice(3));
    expect(without).not.toContain(all[0]);

    // A new hot event: the cached order does not have it until invalidated.
    live.push({ id: 'hot', trend: 5, startsAt: NOW + DAY });
    expect(order.head(1, new Set(), NOW)).toEqual([all[0]]);
    order.invalidate();
    expect(order.head(1, new Set(), NOW)).toEqual(['hot']);
  });
});
