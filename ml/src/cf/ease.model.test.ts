import { Matrix, inverse } from 'ml-matrix';
import { beforeAll, describe, expect, it } from 'vitest';
import { matrixFromTriples } from '../data/interaction.matrix.js';
import type { Split } from '../eval/split.eval.js';
import { evaluate } from '../eval/evaluate.eval.js';
import { loadRecommender } from './algorithm.registry.js';
import { plantedSplit } from './cf.fixture.js';
import { EaseRecommender } from './ease.model.js';
import { PopularityRecommender } from './popularity.model.js';

describe('EASE', () => {
  let split: Split;
  let model: EaseRecommender;
  beforeAll(async () => {
    split = plantedSplit();
    model = new EaseRecommender();
    await model.fit(split.train);
  });

  it('recovers the planted clusters: nDCG@10 well above popularity', async () => {
    const pop = new PopularityRecommender();
    await pop.fit(split.train);
    expect(evaluate(model, split).ndcg).toBeGreaterThan(1.5 * evaluate(pop, split).ndcg);
  });

  it('computes B = I - P diag(1/diag(P)) with a zero diagonal', async () => {
    const m = matrixFromTriples([
      ['a', 'x'],
      ['a', 'y'],
      ['b', 'y'],
      ['b', 'z'],
      ['c', 'x'],
      ['c', 'z'],
      ['c', 'y'],
    ]);
    const lambda = 2;
    const ease = new EaseRecommender();
    await ease.fit(m, { lambda });
    const x = Matrix.zeros(3, 3);
    for (let u = 0; u < 3; u++)
      for (let p = m.indptr[u]!; p < m.indptr[u + 1]!; p++) x.set(u, m.indices[p]!, 1);
    const p = inverse(x.transpose().mmul(x).add(Matrix.eye(3).mul(lambda)));
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const expected = i === j ? 0 : -p.get(i, j) / p.get(j, j);
        expect(ease.weights[i * 3 + j]).toBeCloseTo(expected, 6);
      }
    }
    // user a has x and y: scores are the sum of their rows of B
    const s = ease.scoreItems(0);
    for (let j = 0; j < 3; j++)
      expect(s[j]).toBeCloseTo(ease.weights[j]! + ease.weights[3 + j]!, 6);
  });

  it('scores exactly the same after a serialization round trip', () => {
    const loaded = loadRecommender(model.serialize());
    expect(loaded).toBeInstanceOf(EaseRecommender);
    for (const u of [0, 42, 299]) expect(loaded.scoreItems(u)).toEqual(model.scoreItems(u));
  });
});
