import { describe, expect, it } from 'vitest';
import { generateSynthetic } from './synthetic.generator.js';

const options = { users: 200, items: 300, interactions: 3000, clusters: 5, minPerUser: 5, seed: 11 };

describe('synthetic generator', () => {
  it('produces exactly the requested interactions, distinct per user, at least minPerUser each', () => {
    const { interactions: log } = generateSynthetic(options);
    expect(log.length).toBe(3000);
    expect(log.userIds.length).toBe(200);
    expect(log.itemIds.length).toBe(300);
    const pairs = new Set<number>();
    const perUser = new Int32Array(200);
    for (let e = 0; e < log.length; e++) {
      pairs.add(log.users[e]! * 300 + log.items[e]!);
      perUser[log.users[e]!]!++;
    }
    expect(pairs.size).toBe(3000);
    expect(Math.min(...perUser)).toBeGreaterThanOrEqual(5);
  });

  it('plants the cluster structure and a popularity skew', () => {
    const { interactions: log, userCluster, itemCluster } = generateSynthetic(options);
    let inCluster = 0;
    const perItem = new Int32Array(300);
    for (let e = 0; e < log.length; e++) {
      if (userCluster[log.users[e]!] === itemCluster[log.items[e]!]) inCluster++;
      perItem[log.items[e]!]!++;
    }
    // Without structure a pick would land in the user's cluster 1 time in 5.
    expect(inCluster / log.length).toBeGreaterThan(0.6);
    const sorted = Array.from(perItem).sort((a, b) => b - a);
    const top10pct = sorted.slice(0, 30).reduce((s, c) => s + c, 0);
    // Uniform popularity gives the top 10% of items about 16% of interactions.
    expect(top10pct / log.length).toBeGreaterThan(0.25);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateSynthetic(options).interactions;
    const b = generateSynthetic(options).interactions;
    const c = generateSynthetic({ ...options, seed: 12 }).interactions;
    expect(b.items).toEqual(a.items);
    expect(b.timestamps).toEqual(a.timestamps);
    expect(c.items).not.toEqual(a.items);
  });

  it('refuses a shape that cannot be filled', () => {
    expect(() => generateSynthetic({ users: 10, items: 10, interactions: 1000 })).toThrow(RangeError);
  });
});
