/**
 * The one dense kernel the factorizations are built on: C[i][j] += alpha * sum_k A[i][k] B[j][k]
 * (A times B-transposed) over row-major Float64Arrays. Both operands are read along their rows,
 * the only access pattern that is contiguous in row-major storage, so Cholesky, the triangular
 * inverse and L^-T L^-1 are all phrased as "rows dot rows".
 *
 * Written by hand because ml-matrix keeps matrices as arrays of row arrays and multiplies with
 * per-element calls and no blocking: on this machine that is one to two orders of magnitude
 * slower than a register- and cache-blocked loop for the 1,000-4,000 sized matrices EASE needs.
 */

/** Columns of k processed per pass, so a 4-row strip of A and the B block stay in L1/L2. */
const KC = 256;

export interface GemmRange {
  readonly i0: number;
  readonly i1: number;
  readonly j0: number;
  readonly j1: number;
  readonly k0: number;
  readonly k1: number;
}

/**
 * C[i][j] += alpha * sum_{k in [k0,k1)} A[i][k] * B[j][k] for i in [i0,i1), j in [j0,j1).
 * `lower` skips the pairs with j > i (and writes only those with j <= i), for symmetric results.
 * The leading dimensions are the row strides of each array.
 */
export function gemmNT(
  c: Float64Array,
  ldc: number,
  a: Float64Array,
  lda: number,
  b: Float64Array,
  ldb: number,
  range: GemmRange,
  alpha: number,
  lower = false,
): void {
  const { i0, i1, j0, j1, k0, k1 } = range;
  for (let kb = k0; kb < k1; kb += KC) {
    const ke = Math.min(k1, kb + KC);
    let i = i0;
    for (; i + 4 <= i1; i += 4) {
      const jEnd = lower ? Math.min(j1, i + 4) : j1;
      let j = j0;
      for (; j + 4 <= jEnd; j += 4) {
        // A tile straddling the diagonal off its corner is left to the scalar loop below.
        if (lower && j + 3 > i && j !== i) break;
        tile4x4(c, ldc, a, lda, b, ldb, i, j, kb, ke, alpha, lower);
      }
      for (; j < jEnd; j++) {
        for (let ii = i; ii < i + 4; ii++) {
          if (lower && j > ii) continue;
          c[ii * ldc + j]! += alpha * dot(a, ii * lda, b, j * ldb, kb, ke);
        }
      }
    }
    for (; i < i1; i++) {
      const jEnd = lower ? Math.min(j1, i + 1) : j1;
      for (let j = j0; j < jEnd; j++)
        c[i * ldc + j]! += alpha * dot(a, i * lda, b, j * ldb, kb, ke);
    }
  }
}

function dot(
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
  k0: number,
  k1: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let k = k0;
  for (; k + 2 <= k1; k += 2) {
    s0 += a[ao + k]! * b[bo + k]!;
    s1 += a[ao + k + 1]! * b[bo + k + 1]!;
  }
  if (k < k1) s0 += a[ao + k]! * b[bo + k]!;
  return s0 + s1;
}

/**
 * 16 dot products at once: each k loads 8 values and does 16 multiply-adds, with the 16 sums
 * kept in locals that V8 holds in registers. This is what makes the kernel fast.
 */
function tile4x4(
  c: Float64Array,
  ldc: number,
  a: Float64Array,
  lda: number,
  b: Float64Array,
  ldb: number,
  i: number,
  j: number,
  k0: number,
  k1: number,
  alpha: number,
  lower: boolean,
): void {
  const a0 = i * lda;
  const a1 = a0 + lda;
  const a2 = a1 + lda;
  const a3 = a2 + lda;
  const b0 = j * ldb;
  const b1 = b0 + ldb;
  const b2 = b1 + ldb;
  const b3 = b2 + ldb;
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0,
    c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0,
    c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0,
    c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let k = k0; k < k1; k++) {
    const x0 = a[a0 + k]!;
    const x1 = a[a1 + k]!;
    const x2 = a[a2 + k]!;
    const x3 = a[a3 + k]!;
    const y0 = b[b0 + k]!;
    const y1 = b[b1 + k]!;
    const y2 = b[b2 + k]!;
    const y3 = b[b3 + k]!;
    c00 += x0 * y0;
    c01 += x0 * y1;
    c02 += x0 * y2;
    c03 += x0 * y3;
    c10 += x1 * y0;
    c11 += x1 * y1;
    c12 += x1 * y2;
    c13 += x1 * y3;
    c20 += x2 * y0;
    c21 += x2 * y1;
    c22 += x2 * y2;
    c23 += x2 * y3;
    c30 += x3 * y0;
    c31 += x3 * y1;
    c32 += x3 * y2;
    c33 += x3 * y3;
  }
  const r0 = i * ldc + j;
  const r1 = r0 + ldc;
  const r2 = r1 + ldc;
  const r3 = r2 + ldc;
  // On a diagonal tile of a symmetric product only the lower half (j <= i) is written.
  const diag = lower && i === j;
  c[r0]! += alpha * c00;
  if (!diag) {
    c[r0 + 1]! += alpha * c01;
    c[r0 + 2]! += alpha * c02;
    c[r0 + 3]! += alpha * c03;
  }
  c[r1]! += alpha * c10;
  c[r1 + 1]! += alpha * c11;
  if (!diag) {
    c[r1 + 2]! += alpha * c12;
    c[r1 + 3]! += alpha * c13;
  }
  c[r2]! += alpha * c20;
  c[r2 + 1]! += alpha * c21;
  c[r2 + 2]! += alpha * c22;
  if (!diag) c[r2 + 3]! += alpha * c23;
  c[r3]! += alpha * c30;
  c[r3 + 1]! += alpha * c31;
  c[r3 + 2]! += alpha * c32;
  c[r3 + 3]! += alpha * c33;
}
