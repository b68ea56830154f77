/**
 * Gram matrices: X^T X for a sparse CSR X (EASE's item-item co-occurrences) and Y^T Y for a
 * dense factor matrix (ALS's shared term). Both return a full symmetric row-major Float64Array.
 */

/** The parts of a CSR matrix the sparse Gram reads. */
export interface CsrView {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float32Array;
}

/**
 * G = X^T X (cols x cols) for X with sorted rows, into `out` (e.g. shared memory for workers). Each row adds the outer product of its
 * non-zeros: sum over rows of nnz_row^2 / 2 updates, never touching the zeros, which is why it
 * is done here and not by densifying X for a dense product.
 */
export function sparseGram(
  x: CsrView,
  rows: number,
  cols: number,
  out: Float64Array = new Float64Array(cols * cols),
): Float64Array {
  const g = out;
  g.fill(0);
  const { indptr, indices, data } = x;
  for (let r = 0; r < rows; r++) {
    const end = indptr[r + 1]!;
    for (let p = indptr[r]!; p < end; p++) {
      const va = data[p]!;
      const rowA = indices[p]! * cols;
      // Sorted rows: indices[q] >= indices[p], so only the upper triangle is written here.
      for (let q = p; q < end; q++) g[rowA + indices[q]!]! += va * data[q]!;
    }
  }
  for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) g[i * cols + j] = g[j * cols + i]!;
  return g;
}

/** out = Y^T Y (f x f) for Y row-major rows x f; `out` is overwritten. */
export function denseGram(
  y: Float32Array,
  rows: number,
  f: number,
  out: Float64Array,
): Float64Array {
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const o = r * f;
    for (let a = 0; a < f; a++) {
      const va = y[o + a]!;
      if (va === 0) continue;
      const ra = a * f;
      for (let b = a; b < f; b++) out[ra + b]! += va * y[o + b]!;
    }
  }
  for (let a = 0; a < f; a++) for (let b = 0; b < a; b++) out[a * f + b] = out[b * f + a]!;
  return out;
}
