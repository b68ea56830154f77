import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../data/seeded.random.js';
import { NotPositiveDefiniteError, invertSpd } from './cholesky.linalg.js';
import { invertSpdParallel } from './cholesky.parallel.js';

/** A diagonally dominant symmetric matrix, hence SPD; 450 spans several 64-row panels. */
function spd(n: number): Float64Array {
  const rng = new SeededRandom(n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = i === j ? n : rng.next() - 0.5;
  }
  return a;
}

describe('parallel SPD inverse', () => {
  it('gives the single-threaded inverse bit for bit on two worker threads', async () => {
    const n = 450;
    const a = spd(n);
    const result = await invertSpdParallel(Float64Array.from(a), n, 2);
    expect(result.fallbackReason).toBeNull();
    expect(result.threads).toBe(2);
    expect(result.inverse).toEqual(invertSpd(a, n));
  });

  it('reports a matrix that is not positive definite', async () => {
    const n = 400;
    const a = spd(n);
    a[300 * n + 300] = -1;
    await expect(invertSpdParallel(a, n, 2)).rejects.toThrow(NotPositiveDefiniteError);
  });
});
