import { describe, expect, it } from 'vitest';
import { rankingMetrics } from './metrics.eval.js';

describe('ranking metrics', () => {
  it('scores hits at ranks 2 and 4 of 5 with 3 relevant items', () => {
    const m = rankingMetrics([1, 2, 3, 4, 5], new Set([2, 4, 9]), 5);
    expect(m.hits).toBe(2);
    expect(m.precision).toBe(2 / 5);
    expect(m.recall).toBe(2 / 3);
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(m.ndcg).toBeCloseTo(dcg / idcg, 12);
    expect(m.ndcg).toBeCloseTo(0.498189, 5);
    // (1/2 + 2/4) / min(5, 3)
    expect(m.averagePrecision).toBeCloseTo(1 / 3, 12);
  });

  it('gives 1 for a perfect list, normalising by min(k, relevant)', () => {
    const m = rankingMetrics([7, 8, 1, 2], new Set([7, 8, 9, 10, 11, 12]), 2);
    expect(m.ndcg).toBe(1);
    expect(m.averagePrecision).toBe(1);
    expect(m.precision).toBe(1);
    expect(m.recall).toBe(2 / 6);
  });

  it('counts precision over k even when fewer items were recommended, and 0 without hits', () => {
    expect(rankingMetrics([3], new Set([3]), 10).precision).toBe(0.1);
    const none = rankingMetrics([1, 2], new Set([5]), 10);
    expect([none.ndcg, none.precision, none.recall, none.averagePrecision]).toEqual([0, 0, 0, 0]);
  });
});
