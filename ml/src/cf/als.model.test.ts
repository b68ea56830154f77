import { beforeAll, describe, expect, it } from 'vitest';
import type { Split } from '../eval/split.eval.js';
import { evaluate } from '../eval/evaluate.eval.js';
import { loadRecommender } from './algorithm.registry.js';
import { AlsRecommender } from './als.model.js';
import { plantedSplit } from './cf.fixture.js';
import { PopularityRecommender } from './popularity.model.js';
import type { TrainingProgress } from './recommender.port.js';

describe('implicit ALS', () => {
  let split: Split;
  let popularityNdcg = 0;
  let single: AlsRecommender;
  beforeAll(async () => {
    split = plantedSplit();
    const pop = new PopularityRecommender();
    await pop.fit(split.train);
    popularityNdcg = evaluate(pop, split).ndcg;
    single = new AlsRecommender();
    await single.fit(split.train, { threads: 1, iterations: 15 });
  });

  it('recovers the planted clusters: nDCG@10 well above popularity', () => {
    expect(single.trainingThreads).toBe(1);
    const ndcg = evaluate(single, split).ndcg;
    expect(ndcg).toBeGreaterThan(1.5 * popularityNdcg);
  });

  it('trains the same factors on two worker threads as in one thread', async () => {
    const progress: TrainingProgress[] = [];
    const parallel = new AlsRecommender();
    await parallel.fit(split.train, { threads: 2, iterations: 15, computeLoss: true }, (p) =>
      progress.push(p),
    );
    expect(parallel.fallbackReason).toBeNull();
    expect(parallel.trainingThreads).toBe(2);
    // Rows of a half-step are independent, so the partition cannot change the result.
    expect(parallel.userFactors).toEqual(single.userFactors);
    expect(parallel.itemFactors).toEqual(single.itemFactors);
    expect(evaluate(parallel, split).ndcg).toBe(evaluate(single, split).ndcg);
    expect(progress.map((p) => p.iteration)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    const losses = progress.map((p) => p.loss!);
    expect(losses.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
    expect(losses[14]!).toBeLessThan(losses[0]!);
  });

  it('scores exactly the same after a serialization round trip', () => {
    const artifact = single.serialize();
    const loaded = loadRecommender(artifact);
    expect(loaded).toBeInstanceOf(AlsRecommender);
    expect(loaded.itemIds).toEqual(single.itemIds);
    for (const u of [0, 17, 299]) expect(loaded.scoreItems(u)).toEqual(single.scoreItems(u));
    const seen = split.train.indices.subarray(split.train.indptr[5]!, split.train.indptr[6]!);
    expect(loaded.recommend(5, 10, seen)).toEqual(single.recommend(5, 10, seen));
  });

  it('never recommends an excluded item', () => {
    const seen = split.train.indices.subarray(split.train.indptr[9]!, split.train.indptr[10]!);
    const { items } = single.recommend(9, 20, seen);
    expect(items.length).toBe(20);
    for (const item of items) expect(seen.includes(item)).toBe(false);
  });
});
