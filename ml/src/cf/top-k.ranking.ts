import type { Recommendations } from './recommender.port.js';

/**
 * The k highest scores, best first, skipping `exclude`d items and non-finite scores. A sorted
 * buffer of k entries is enough for the k of a recommendation list (tens): one comparison per
 * item and an insertion only for the few that enter. Ties go to the lower item index.
 */
export function topK(
  scores: Float32Array,
  k: number,
  exclude?: ArrayLike<number>,
): Recommendations {
  const n = scores.length;
  let skip: Uint8Array | undefined;
  if (exclude && exclude.length > 0) {
    skip = new Uint8Array(n);
    for (let e = 0; e < exclude.length; e++) {
      const item = exclude[e]!;
      if (item >= 0 && item < n) skip[item] = 1;
    }
  }
  const cap = Math.max(0, Math.min(k, n));
  const items = new Int32Array(cap);
  const best = new Float32Array(cap);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (!Number.isFinite(s) || (skip !== undefined && skip[i] === 1)) continue;
    if (size === cap && (cap === 0 || s <= best[cap - 1]!)) continue;
    let pos = size < cap ? size++ : cap - 1;
    while (pos > 0 && best[pos - 1]! < s) {
      best[pos] = best[pos - 1]!;
      items[pos] = items[pos - 1]!;
      pos--;
    }
    best[pos] = s;
    items[pos] = i;
  }
  return { items: items.slice(0, size), scores: best.slice(0, size) };
}
