import { describe, expect, it } from 'vitest';
import { topK } from './top-k.ranking.js';

describe('topK', () => {
  it('returns the k best, best first, without excluded or non-finite scores', () => {
    const scores = Float32Array.from([0.5, 3, -1, 2, NaN, 3, 7, 1]);
    const { items, scores: best } = topK(scores, 3, [6]);
    // ties (3 at items 1 and 5) go to the lower index
    expect(Array.from(items)).toEqual([1, 5, 3]);
    expect(Array.from(best)).toEqual([3, 3, 2]);
  });

  it('returns fewer than k when the catalogue runs out', () => {
    const { items } = topK(Float32Array.from([1, 2, 3]), 10, [0]);
    expect(Array.from(items)).toEqual([2, 1]);
    expect(topK(Float32Array.from([1]), 0).items.length).toBe(0);
  });

  it('agrees with a full sort on random, tied, rising and falling scores', () => {
    let seed = 3;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const cases = [
      Float32Array.from({ length: 500 }, () => random()),
      Float32Array.from({ length: 500 }, () => Math.floor(random() * 5)),
      Float32Array.from({ length: 500 }, () => Math.floor(random() * 3)),
      Float32Array.from({ length: 500 }, (_, i) => i),
      Float32Array.from({ length: 500 }, (_, i) => -i),
    ];
    for (const scores of cases) {
      for (const k of [1, 7, 100, 200, 300, 600]) {
        const expected = Array.from(scores.keys())
          .sort((a, b) => scores[b]! - scores[a]! || a - b)
          .slice(0, k);
        expect(Array.from(topK(scores, k).items)).toEqual(expected);
      }
    }
  });
});
