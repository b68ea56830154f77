import type { Recommendations } from './recommender.port.js';

/**
 * The k highest scores, best first, skipping `exclude`d items and non-finite scores. Ties go to
 * the lower item index. A bounded min-heap holds the k best so far, its worst at the root: one
 * comparison per item and O(log k) for the few that enter, whatever the order the scores come in
 * (a sorted buffer costs O(k) per entry, which rising scores, as retrieval can produce, made
 * O(n k)).
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
  const heapItems = new Int32Array(cap);
  const heapScores = new Float32Array(cap);
  let size = 0;
  // Heap order: a parent ranks at or below its children (a lower score, or the same score and a
  // higher index). Written out rather than with helper closures: this loop is on the serving path.
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (!Number.isFinite(s) || (skip !== undefined && skip[i] === 1)) continue;
    let at: number;
    if (size < cap) {
      // Sift up from the end; items come in index order, so the newcomer loses ties.
      at = size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (heapScores[parent]! < s) break;
        heapScores[at] = heapScores[parent]!;
        heapItems[at] = heapItems[parent]!;
        at = parent;
      }
      heapScores[at] = s;
      heapItems[at] = i;
      continue;
    }
    if (cap === 0 || s <= heapScores[0]!) continue;
    // Replace the root and sift down.
    at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (
        right < size &&
        (heapScores[right]! < heapScores[left]! ||
          (heapScores[right] === heapScores[left] && heapItems[right]! > heapItems[left]!))
      )
        child = right;
      const cs = heapScores[child]!;
      if (cs > s || (cs === s && heapItems[child]! < i)) break;
      heapScores[at] = cs;
      heapItems[at] = heapItems[child]!;
      at = child;
    }
    heapScores[at] = s;
    heapItems[at] = i;
  }
  const order = Array.from({ length: size }, (_, j) => j).sort(
    (a, b) => heapScores[b]! - heapScores[a]! || heapItems[a]! - heapItems[b]!,
  );
  return {
    items: Int32Array.from(order, (j) => heapItems[j]!),
    scores: Float32Array.from(order, (j) => heapScores[j]!),
  };
}
