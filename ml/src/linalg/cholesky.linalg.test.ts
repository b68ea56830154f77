import { CholeskyDecomposition, Matrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../data/seeded.random.js';
import {
  NotPositiveDefiniteError,
  choleskyInPlace,
  choleskySolve,
  invertSpd,
} from './cholesky.linalg.js';

/** A random SPD matrix Z^T Z + I, row-major. */
function randomSpd(n: number, seed: number): Float64Array {
  const rng = new SeededRandom(seed);
  const z = Matrix.zeros(n + 3, n);
  for (let i = 0; i < n + 3; i++) for (let j = 0; j < n; j++) z.set(i, j, rng.next() - 0.5);
  const a = z.transpose().mmul(z).add(Matrix.eye(n));
  return Float64Array.from(a.to1DArray());
}

function toMatrix(a: Float64Array, n: number): Matrix {
  return Matrix.from1DArray(n, n, Array.from(a));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k]! - b[k]!));
  return d;
}

// Sizes below, at and across the 64-wide panel and the 4x4 tiles, with ragged edges.
const sizes = [1, 3, 5, 64, 67, 130];

describe('Cholesky and SPD inverse', () => {
  it.each(sizes)('factors a %i x %i SPD matrix as ml-matrix does', (n) => {
    const a = randomSpd(n, n);
    const l = Float64Array.from(a);
    choleskyInPlace(l, n);
    const ref = new CholeskyDecomposition(toMatrix(a, n)).lowerTriangularMatrix;
    expect(maxAbsDiff(l, ref.to1DArray())).toBeLessThan(1e-10);
  });

  it.each(sizes)('inverts a %i x %i SPD matrix as ml-matrix does', (n) => {
    const a = randomSpd(n, 100 + n);
    const inv = invertSpd(a, n);
    const ref = inverse(toMatrix(a, n)).to1DArray();
    expect(maxAbsDiff(inv, ref)).toBeLessThan(1e-9);
    // symmetric to the last bit, as EASE relies on
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) expect(inv[i * n + j]).toBe(inv[j * n + i]);
  });

  it('solves A x = b from the factor', () => {
    const n = 9;
    const a = randomSpd(n, 5);
    const b = Float64Array.from({ length: n }, (_, i) => i - 4);
    const l = Float64Array.from(a);
    choleskyInPlace(l, n);
    const x = choleskySolve(l, n, b);
    const ref = new CholeskyDecomposition(toMatrix(a, n)).solve(Matrix.columnVector(Array.from(b)));
    expect(maxAbsDiff(x, ref.to1DArray())).toBeLessThan(1e-12);
  });

  it('rejects a matrix that is not positive definite', () => {
    const a = Float64Array.from([1, 2, 2, 1]);
    expect(() => choleskyInPlace(a, 2)).toThrow(NotPositiveDefiniteError);
  });
});
