import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { SeededRandom } from '../data/seeded.random.js';
import { evaluate } from '../eval/evaluate.eval.js';
import { invertSpd } from '../linalg/cholesky.linalg.js';
import { invertSpdParallel } from '../linalg/cholesky.parallel.js';
import { AlsRecommender } from './als.model.js';
import { plantedSplit } from './cf.fixture.js';

// Workers that die on start, as when the runtime cannot load the worker module.
vi.mock('../linalg/worker.launcher.js', () => ({
  launchWorker: () => new Worker('throw new Error("no TypeScript loader here")', { eval: true }),
}));

describe('without worker threads', () => {
  it('ALS falls back to one thread, says why, and still learns the same model', async () => {
    const split = plantedSplit();
    const fallback = new AlsRecommender();
    await fallback.fit(split.train, { threads: 2 });
    expect(fallback.trainingThreads).toBe(1);
    expect(fallback.fallbackReason).toMatch(/no TypeScript loader here/);
    const single = new AlsRecommender();
    await single.fit(split.train, { threads: 1 });
    expect(fallback.itemFactors).toEqual(single.itemFactors);
    expect(evaluate(fallback, split).ndcg).toBeGreaterThan(0.3);
  });

  it('the SPD inverse falls back to one thread with the same result', async () => {
    const n = 400;
    const rng = new SeededRandom(9);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = i === j ? n : rng.next() - 0.5;
    }
    const result = await invertSpdParallel(Float64Array.from(a), n, 2);
    expect(result.threads).toBe(1);
    expect(result.fallbackReason).toMatch(/no TypeScript loader here/);
    expect(result.inverse).toEqual(invertSpd(a, n));
  });
});
