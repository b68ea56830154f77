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
});
