/**
 * The per-row kernel of implicit ALS (Hu, Koren, Volinsky 2008) with the conjugate-gradient
 * solver of benfred/implicit: for row u minimise over x
 *   sum_i c_ui (p_ui - x.y_i)^2 + reg |x|^2,   c_ui = 1 + alpha r_ui,  p_ui = [r_ui > 0]
 * i.e. solve (Y^T Y + reg I + sum_{i in u} (c_ui - 1) y_i y_i^T) x = sum_{i in u} c_ui y_i.
 * Y^T Y + reg I is shared by all rows and computed once per half-step; the rest touches only
 * the row's non-zeros. A few CG steps warm-started from the previous x replace an f^3 solve.
 *
 * Plain functions over typed arrays so the same code runs in the main thread and in workers
 * (where the arrays are views of SharedArrayBuffers).
 */

/** Everything a half-step reads and writes; in workers every array is shared memory. */
export interface AlsArrays {
  readonly factors: number;
  readonly regularization: number;
  readonly cgSteps: number;
  readonly numUsers: number;
  readonly numItems: number;
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
  /** CSR by user: items and confidences c = 1 + alpha r. */
  readonly userIndptr: Int32Array;
  readonly userIndices: Int32Array;
  readonly userConfidence: Float32Array;
  /** CSC by item: users and the same confidences. */
  readonly itemIndptr: Int32Array;
  readonly itemIndices: Int32Array;
  readonly itemConfidence: Float32Array;
  /** Y^T Y + reg I of the side held fixed in the current half-step (f x f). */
  readonly gram: Float64Array;
}

export type AlsSide = 'users' | 'items';

export interface AlsScratch {
  readonly x: Float64Array;
  readonly r: Float64Array;
  readonly p: Float64Array;
  readonly ap: Float64Array;
}

export function createScratch(factors: number): AlsScratch {
  return {
    x: new Float64Array(factors),
    r: new Float64Array(factors),
    p: new Float64Array(factors),
    ap: new Float64Array(factors),
  };
}

export function sideRows(arrays: AlsArrays, side: AlsSide): number {
  return side === 'users' ? arrays.numUsers : arrays.numItems;
}

/**
 * Solves rows [start, end) of `side` in place. With `withLoss`, returns this range's part of
 * the training loss (x^T (Y^T Y + reg I) x + sum_i [c (1 - s)^2 - s^2], s = x.y_i), which is
 * the full objective's row term when computed on the user side; otherwise 0.
 */
export function solveRows(
  arrays: AlsArrays,
  side: AlsSide,
  start: number,
  end: number,
  scratch: AlsScratch,
  withLoss: boolean,
): number {
  const f = arrays.factors;
  const users = side === 'users';
  const X = users ? arrays.userFactors : arrays.itemFactors;
  const Y = users ? arrays.itemFactors : arrays.userFactors;
  const indptr = users ? arrays.userIndptr : arrays.itemIndptr;
  const indices = users ? arrays.userIndices : arrays.itemIndices;
  const conf = users ? arrays.userConfidence : arrays.itemConfidence;
  const G = arrays.gram;
  const cgSteps = arrays.cgSteps;
  const { x, r, p, ap } = scratch;
  let loss = 0;

  for (let row = start; row < end; row++) {
    const xo = row * f;
    const rowStart = indptr[row]!;
    const rowEnd = indptr[row + 1]!;
    for (let a = 0; a < f; a++) x[a] = X[xo + a]!;

    // r = b - A x = -G x + sum_i (c - (c - 1) y.x) y
    symmetricTimes(G, x, r, f, -1);
    for (let q = rowStart; q < rowEnd; q++) {
      const c = conf[q]!;
      const yo = indices[q]! * f;
      const s = dotRow(Y, yo, x, f);
      const coef = c - (c - 1) * s;
      axpyRow(coef, Y, yo, r, f);
    }
    let rsOld = 0;
    for (let a = 0; a < f; a++) {
      p[a] = r[a]!;
      rsOld += r[a]! * r[a]!;
    }

    if (rsOld > 1e-20) {
      for (let step = 0; step < cgSteps; step++) {
        // ap = A p = G p + sum_i (c - 1) (y.p) y, never forming A.
        symmetricTimes(G, p, ap, f, 1);
        for (let q = rowStart; q < rowEnd; q++) {
          const cm1 = conf[q]! - 1;
          const yo = indices[q]! * f;
          const s = cm1 * dotRow(Y, yo, p, f);
          axpyRow(s, Y, yo, ap, f);
        }
        let pAp = 0;
        for (let a = 0; a < f; a++) pAp += p[a]! * ap[a]!;
        if (!(pAp > 0)) break;
        const alpha = rsOld / pAp;
        let rsNew = 0;
        for (let a = 0; a < f; a++) {
          x[a]! += alpha * p[a]!;
          r[a]! -= alpha * ap[a]!;
          rsNew += r[a]! * r[a]!;
        }
        if (rsNew < 1e-20) break;
        const beta = rsNew / rsOld;
        for (let a = 0; a < f; a++) p[a] = r[a]! + beta * p[a]!;
        rsOld = rsNew;
      }
      for (let a = 0; a < f; a++) X[xo + a] = x[a]!;
    }

    if (withLoss) {
      // Use the stored (float32) factors so the loss is that of the model as kept.
      for (let a = 0; a < f; a++) x[a] = X[xo + a]!;
      symmetricTimes(G, x, ap, f, 1);
      let rowLoss = 0;
      for (let a = 0; a < f; a++) rowLoss += x[a]! * ap[a]!;
      for (let q = rowStart; q < rowEnd; q++) {
        const c = conf[q]!;
        const yo = indices[q]! * f;
        const s = dotRow(Y, yo, x, f);
        rowLoss += c * (1 - s) * (1 - s) - s * s;
      }
      loss += rowLoss;
    }
  }
  return loss;
}

/** out = sign * G v for a symmetric f x f G. */
function symmetricTimes(
  G: Float64Array,
  v: Float64Array,
  out: Float64Array,
  f: number,
  sign: number,
): void {
  for (let a = 0; a < f; a++) {
    const ga = a * f;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let b = 0;
    for (; b + 4 <= f; b += 4) {
      s0 += G[ga + b]! * v[b]!;
      s1 += G[ga + b + 1]! * v[b + 1]!;
      s2 += G[ga + b + 2]! * v[b + 2]!;
      s3 += G[ga + b + 3]! * v[b + 3]!;
    }
    for (; b < f; b++) s0 += G[ga + b]! * v[b]!;
    out[a] = sign * (s0 + s1 + s2 + s3);
  }
}

/**
 * y_row . v with four independent sums: a single running sum would make every add wait for
 * the previous one, and these dots are most of ALS's time.
 */
function dotRow(Y: Float32Array, yo: number, v: Float64Array, f: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let a = 0;
  for (; a + 4 <= f; a += 4) {
    s0 += Y[yo + a]! * v[a]!;
    s1 += Y[yo + a + 1]! * v[a + 1]!;
    s2 += Y[yo + a + 2]! * v[a + 2]!;
    s3 += Y[yo + a + 3]! * v[a + 3]!;
  }
  for (; a < f; a++) s0 += Y[yo + a]! * v[a]!;
  return s0 + s1 + s2 + s3;
}

/** out += k * y_row, unrolled by four (a third faster than the plain loop under V8). */
function axpyRow(k: number, Y: Float32Array, yo: number, out: Float64Array, f: number): void {
  let a = 0;
  for (; a + 4 <= f; a += 4) {
    out[a]! += k * Y[yo + a]!;
    out[a + 1]! += k * Y[yo + a + 1]!;
    out[a + 2]! += k * Y[yo + a + 2]!;
    out[a + 3]! += k * Y[yo + a + 3]!;
  }
  for (; a < f; a++) out[a]! += k * Y[yo + a]!;
}
