/**
 * Top-k ranking metrics for one user, binary relevance. Conventions (those of Microsoft
 * Recommenders, whose published MovieLens figures we compare against):
 * - precision@k = hits / k (k even when fewer items were recommended);
 * - recall@k = hits / |relevant|;
 * - nDCG@k = DCG / IDCG, DCG = sum over hits at rank r (1-based) of 1 / log2(r + 1), IDCG the
 *   DCG of min(k, |relevant|) hits at the top;
 * - AP@k = sum over hits at rank r of precision@r, divided by min(k, |relevant|).
 */
export interface UserMetrics {
  readonly ndcg: number;
  readonly precision: number;
  readonly recall: number;
  readonly averagePrecision: number;
  readonly hits: number;
}

export function rankingMetrics(
  recommended: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k: number,
): UserMetrics {
  const depth = Math.min(k, recommended.length);
  let hits = 0;
  let dcg = 0;
  let apSum = 0;
  for (let r = 0; r < depth; r++) {
    if (!relevant.has(recommended[r]!)) continue;
    hits++;
    dcg += 1 / Math.log2(r + 2);
    apSum += hits / (r + 1);
  }
  const ideal = Math.min(k, relevant.size);
  let idcg = 0;
  for (let r = 0; r < ideal; r++) idcg += 1 / Math.log2(r + 2);
  return {
    ndcg: idcg > 0 ? dcg / idcg : 0,
    precision: k > 0 ? hits / k : 0,
    recall: relevant.size > 0 ? hits / relevant.size : 0,
    averagePrecision: ideal > 0 ? apSum / ideal : 0,
    hits,
  };
}
