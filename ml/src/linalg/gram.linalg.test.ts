import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { matrixFromTriples } from '../data/interaction.matrix.js';
import { SeededRandom } from '../data/seeded.random.js';
import { gemmNT } from './gemm.linalg.js';
import { denseGram, sparseGram } from './gram.linalg.js';

describe('Gram matrices', () => {
  it('computes X^T X of a sparse matrix as the dense product does', () => {
    const rng = new SeededRandom(3);
    const triples: [string, string, number][] = [];
    for (let k = 0; k < 300; k++)
      triples.push([`u${rng.nextInt(40)}`, `i${rng.nextInt(25)}`, 1 + rng.nextInt(3)]);
    const m = matrixFromTriples(triples);
    const dense = Matrix.zeros(m.numUsers, m.numItems);
    for (let u = 0; u < m.numUsers; u++) {
      for (let p = m.indptr[u]!; p < m.indptr[u + 1]!; p++) dense.set(u, m.indices[p]!, m.data[p]!);
    }
    const ref = dense.transpose().mmul(dense).to1DArray();
    expect(Array.from(sparseGram(m, m.numUsers, m.numItems))).toEqual(ref);
  });

  it('computes Y^T Y of a dense factor matrix', () => {
    const rng = new SeededRandom(4);
    const rows = 17;
    const f = 6;
    const y = Float32Array.from({ length: rows * f }, () => rng.next() - 0.5);
    const ym = Matrix.from1DArray(rows, f, Array.from(y));
    const ref = ym.transpose().mmul(ym).to1DArray();
    const g = denseGram(y, rows, f, new Float64Array(f * f));
    for (let k = 0; k < f * f; k++) expect(g[k]).toBeCloseTo(ref[k]!, 12);
  });

  it('gemmNT accumulates alpha A B^T over sub-ranges, and only j <= i when lower', () => {
    const rng = new SeededRandom(5);
    const n = 11;
    const a = Float64Array.from({ length: n * n }, () => rng.next());
    const b = Float64Array.from({ length: n * n }, () => rng.next());
    const range = { i0: 1, i1: 10, j0: 2, j1: 11, k0: 3, k1: 9 };
    for (const lower of [false, true]) {
      const c = new Float64Array(n * n).fill(1);
      gemmNT(c, n, a, n, b, n, range, -2, lower);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let expected = 1;
          const inRange = i >= range.i0 && i < range.i1 && j >= range.j0 && j < range.j1;
          if (inRange && (!lower || j <= i)) {
            for (let k = range.k0; k < range.k1; k++) expected -= 2 * a[i * n + k]! * b[j * n + k]!;
          }
          expect(c[i * n + j]).toBeCloseTo(expected, 12);
        }
      }
    }
  });
});
