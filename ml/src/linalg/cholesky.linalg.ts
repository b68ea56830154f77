import { gemmNT } from './gemm.linalg.js';

/**
 * Cholesky factorization and inverse of symmetric positive definite matrices, row-major
 * Float64Array n*n. Blocked so that nearly all of the n^3/2 multiply-adds of an inverse run in
 * the register-blocked `gemmNT` kernel on cache-sized panels; the rest is O(n^2 * block).
 * Every step is a function of a row range, so `cholesky.parallel.ts` can hand the same
 * kernels to worker threads.
 */

/** Panel width: wide enough to amortise the O(n * NB^2) panel work, narrow enough for L2. */
export const NB = 64;

export class NotPositiveDefiniteError extends Error {
  readonly code = 'NotPositiveDefinite';
  constructor(readonly column: number) {
    super(`matrix is not positive definite (pivot ${column} <= 0)`);
    this.name = 'NotPositiveDefiniteError';
  }
}

/**
 * Left-looking update of rows [r0, r1) of the panel columns [j0, j1) with every finished
 * column k < j0 at once: A[i][j] -= L[i][0:j0] . L[j][0:j0].
 */
export function panelUpdateRows(
  a: Float64Array,
  n: number,
  j0: number,
  r0: number,
  r1: number,
): void {
  if (j0 === 0) return;
  const j1 = Math.min(n, j0 + NB);
  gemmNT(a, n, a, n, a, n, { i0: r0, i1: r1, j0, j1, k0: 0, k1: j0 }, -1, true);
}

/** Unblocked factorization of the diagonal block [j0, j1), once its update is done. */
export function factorDiagonalBlock(a: Float64Array, n: number, j0: number): void {
  const j1 = Math.min(n, j0 + NB);
  for (let j = j0; j < j1; j++) {
    const rj = j * n;
    let d = a[rj + j]!;
    for (let k = j0; k < j; k++) d -= a[rj + k]! * a[rj + k]!;
    if (!(d > 0)) throw new NotPositiveDefiniteError(j);
    d = Math.sqrt(d);
    a[rj + j] = d;
    for (let i = j + 1; i < j1; i++) {
      const ri = i * n;
      let s = a[ri + j]!;
      for (let k = j0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s / d;
    }
  }
}

/**
 * Rows [r0, r1) (all below the diagonal block) of the panel: L[i][j] from the factored block,
 * one row at a time so each row's panel segment stays in L1.
 */
export function panelSolveRows(
  a: Float64Array,
  n: number,
  j0: number,
  r0: number,
  r1: number,
): void {
  const j1 = Math.min(n, j0 + NB);
  for (let i = r0; i < r1; i++) {
    const ri = i * n;
    for (let j = j0; j < j1; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let k = j0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s / a[rj + j]!;
    }
  }
}

/**
 * In place: on return the lower triangle of `a` holds L with A = L L^T and the strict upper
 * triangle is zero. Only the lower triangle of the input is read.
 */
export function choleskyInPlace(a: Float64Array, n: number): void {
  checkSquare(a, n);
  for (let j0 = 0; j0 < n; j0 += NB) {
    panelUpdateRows(a, n, j0, j0, n);
    factorDiagonalBlock(a, n, j0);
    panelSolveRows(a, n, j0, Math.min(n, j0 + NB), n);
  }
  zeroUpper(a, n);
}

export function zeroUpper(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
}

/**
 * Rows [r0, r1) of X = L^-1 (lower, row-major) into `x`, whose rows must be zero, given
 * U = L^T (upper, row-major). From X L = I: X[i][i] = 1 / U[i][i] and
 * X[i][j] = -(sum_{k=j+1..i} X[i][k] U[j][k]) / U[j][j]: a row of X depends only on itself,
 * so rows are independent, and each row block is filled right to left one column block at a
 * time, the bulk of each block in gemmNT.
 */
export function lowerInverseRows(
  u: Float64Array,
  x: Float64Array,
  n: number,
  r0: number,
  r1: number,
): void {
  for (let j0 = Math.floor((r1 - 1) / NB) * NB; j0 >= 0; j0 -= NB) {
    const j1 = Math.min(n, j0 + NB);
    // Finished columns k in [j1, r1): X[i][k] is zero beyond k = i, so k stops at r1.
    if (r1 > j1) {
      gemmNT(x, n, x, n, u, n, { i0: Math.max(r0, j1), i1: r1, j0, j1, k0: j1, k1: r1 }, 1, false);
    }
    for (let i = Math.max(r0, j0); i < r1; i++) {
      const ri = i * n;
      const jTop = Math.min(i, j1 - 1);
      for (let j = jTop; j >= j0; j--) {
        const rj = j * n;
        if (j === i) {
          x[ri + i] = 1 / u[rj + j]!;
          continue;
        }
        let s = x[ri + j]!;
        for (let k = j + 1; k <= jTop; k++) s += x[ri + k]! * u[rj + k]!;
        x[ri + j] = -s / u[rj + j]!;
      }
    }
  }
}

/**
 * Rows [r0, r1) of the lower triangle of V V^T into `out` (rows zero on entry) for V upper
 * triangular: with V = X^T this is X^T X = A^-1. V[p][k] is zero for k < p, so k starts at r0.
 */
export function upperGramRows(
  v: Float64Array,
  out: Float64Array,
  n: number,
  r0: number,
  r1: number,
): void {
  for (let c0 = 0; c0 <= r0; c0 += NB) {
    const c1 = Math.min(n, c0 + NB);
    gemmNT(out, n, v, n, v, n, { i0: r0, i1: r1, j0: c0, j1: c1, k0: r0, k1: n }, 1, true);
  }
}

/**
 * The inverse of an SPD matrix, in place (LAPACK potrf + potri): A^-1 = L^-T L^-1. Returns `a`,
 * now holding the full symmetric inverse. Uses one extra n*n scratch array.
 */
export function invertSpdInPlace(a: Float64Array, n: number): Float64Array {
  choleskyInPlace(a, n);
  const scratch = new Float64Array(n * n);
  // U = L^T row-major: the triangular inverse then reads U and X only along rows.
  transposeInto(a, scratch, n);
  a.fill(0);
  for (let r0 = 0; r0 < n; r0 += NB) lowerInverseRows(scratch, a, n, r0, Math.min(n, r0 + NB));
  // V = X^T; A^-1 = X^T X = V V^T, again rows dot rows.
  transposeInto(a, scratch, n);
  a.fill(0);
  for (let r0 = 0; r0 < n; r0 += NB) upperGramRows(scratch, a, n, r0, Math.min(n, r0 + NB));
  mirrorLower(a, n);
  return a;
}

/** Returns a new array with the inverse; the input is left untouched. */
export function invertSpd(a: Float64Array, n: number): Float64Array {
  return invertSpdInPlace(Float64Array.from(a), n);
}

/** Copies the lower triangle onto the upper one, so the result is symmetric to the last bit. */
export function mirrorLower(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j]!;
}

/** Cache-blocked transpose, so neither side is walked with stride n for long. */
export function transposeInto(src: Float64Array, dst: Float64Array, n: number): void {
  const B = 32;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(n, i0 + B);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = Math.min(n, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) dst[j * n + i] = src[i * n + j]!;
    }
  }
}

export function checkSquare(a: Float64Array, n: number): void {
  if (a.length !== n * n)
    throw new RangeError(`expected ${n}x${n} = ${n * n} values, got ${a.length}`);
}

/** Solves A x = b given the Cholesky factor L of A (lower, row-major), into a new array. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = y[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * y[k]!;
    y[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * y[k]!;
    y[i] = s / l[i * n + i]!;
  }
  return y;
}
