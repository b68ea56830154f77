import { describe, expect, it } from 'vitest';
import { InteractionsBuilder, toMatrix } from '../data/interaction.matrix.js';
import type { Recommendations, Recommender } from '../cf/recommender.port.js';
import { topK } from '../cf/top-k.ranking.js';
import { evaluate } from './evaluate.eval.js';

/** Always ranks items by index, lowest first. */
const byIndex = (numItems: number): Recommender => ({
  algorithm: 'popularity',
  numUsers: 3,
  numItems,
  userIds: [],
  itemIds: [],
  fit: async () => undefined,
  scoreItems: () => Float32Array.from({ length: numItems }, (_, i) => numItems - i),
  recommend(u: number, k: number, exclude?: ArrayLike<number>): Recommendations {
    return topK(this.scoreItems(u), k, exclude);
  },
  serialize: () => Buffer.alloc(0),
});

describe('evaluate', () => {
  it('excludes training items, skips users without test items and averages per user', () => {
    const b = new InteractionsBuilder();
    for (let i = 0; i < 6; i++) b.items.intern(`i${i}`);
    const events: [string, number, boolean][] = [
      ['u0', 0, true],
      ['u0', 1, false],
      ['u1', 2, true],
      ['u1', 5, false],
      ['u2', 3, true],
    ];
    for (const [u, i] of events) b.add(u, `i${i}`);
    const log = b.build();
    const inTrain = Uint8Array.from(events.map(([, , t]) => (t ? 1 : 0)));
    const inTest = Uint8Array.from(events.map(([, , t]) => (t ? 0 : 1)));
    const split = {
      train: toMatrix(log, { select: inTrain }),
      test: toMatrix(log, { select: inTest }),
    };
    const r = evaluate(byIndex(6), split, { k: 2 });
    // u0 gets [1, 2] (0 is seen): hit at rank 1. u1 gets [0, 1]: no hit. u2 has no test items.
    expect(r.users).toBe(2);
    expect(r.ndcg).toBe(0.5);
    expect(r.precision).toBe(0.25);
    expect(r.recall).toBe(0.5);
    expect(r.map).toBe(0.5);
    expect(r.coverage).toBe(3 / 6);
  });
});
