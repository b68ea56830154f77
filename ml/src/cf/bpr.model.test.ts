import { describe, expect, it } from 'vitest';
import { hasInteraction, matrixFromTriples } from '../data/interaction.matrix.js';
import { SeededRandom } from '../data/seeded.random.js';
import { evaluate } from '../eval/evaluate.eval.js';
import { loadRecommender } from './algorithm.registry.js';
import { BprRecommender, sampleNegative } from './bpr.model.js';
import { plantedSplit } from './cf.fixture.js';
import { PopularityRecommender } from './popularity.model.js';
import type { TrainingProgress } from './recommender.port.js';

describe('BPR-MF', () => {
  it('beats popularity on planted structure, its loss falls, and it round-trips exactly', async () => {
    const split = plantedSplit();
    const pop = new PopularityRecommender();
    await pop.fit(split.train);
    const progress: TrainingProgress[] = [];
    const bpr = new BprRecommender();
    await bpr.fit(split.train, { iterations: 60, learningRate: 0.05 }, (p) => progress.push(p));
    expect(evaluate(bpr, split).ndcg).toBeGreaterThan(1.3 * evaluate(pop, split).ndcg);
    expect(progress.length).toBe(60);
    expect(progress[59]!.loss!).toBeLessThan(progress[0]!.loss!);
    const loaded = loadRecommender(bpr.serialize());
    expect(loaded.scoreItems(3)).toEqual(bpr.scoreItems(3));
  });

  it('never returns a verified negative that is one of the user positives', () => {
    // user 0 has 9 of the 10 items; only item "9" is a true negative
    const triples: [string, string][] = [];
    for (let i = 0; i < 9; i++) triples.push(['u0', `${i}`]);
    triples.push(['u1', '9']);
    const m = matrixFromTriples(triples);
    const rng = new SeededRandom(1);
    let found = 0;
    for (const popularity of [false, true]) {
      for (let t = 0; t < 500; t++) {
        const j = sampleNegative(m, 0, rng, popularity, true);
        if (j === -1) continue;
        expect(hasInteraction(m, 0, j)).toBe(false);
        found++;
      }
    }
    expect(found).toBeGreaterThan(100);
  });
});
