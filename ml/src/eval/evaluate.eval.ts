import { userItems } from '../data/interaction.matrix.js';
import type { Recommender } from '../cf/recommender.port.js';
import { rankingMetrics } from './metrics.eval.js';
import type { Split } from './split.eval.js';

export interface EvaluationResult {
  readonly k: number;
  /** Users evaluated: those with at least one training and one new test item. */
  readonly users: number;
  readonly ndcg: number;
  readonly precision: number;
  readonly recall: number;
  readonly map: number;
  /** Share of the catalogue that appears in at least one user's top k. */
  readonly coverage: number;
}

/**
 * Ranks the top k for every test user, excluding the items they have in training, and
 * averages the metrics over users. Test items the user also has in training cannot be
 * recommended and are not counted as relevant.
 */
export function evaluate(
  recommender: Recommender,
  split: Split,
  options: { k?: number } = {},
): EvaluationResult {
  const k = options.k ?? 10;
  const { train, test } = split;
  const recommendedAnywhere = new Uint8Array(train.numItems);
  let users = 0;
  let ndcg = 0;
  let precision = 0;
  let recall = 0;
  let map = 0;
  for (let u = 0; u < test.numUsers; u++) {
    const seen = userItems(train, u);
    if (seen.length === 0 || u >= recommender.numUsers) continue;
    const seenSet = new Set(seen);
    const relevant = new Set<number>();
    for (const item of userItems(test, u)) if (!seenSet.has(item)) relevant.add(item);
    if (relevant.size === 0) continue;
    const { items } = recommender.recommend(u, k, seen);
    for (const item of items) recommendedAnywhere[item] = 1;
    const m = rankingMetrics(items, relevant, k);
    users++;
    ndcg += m.ndcg;
    precision += m.precision;
    recall += m.recall;
    map += m.averagePrecision;
  }
  let covered = 0;
  for (const flag of recommendedAnywhere) covered += flag;
  const mean = (x: number): number => (users > 0 ? x / users : 0);
  return {
    k,
    users,
    ndcg: mean(ndcg),
    precision: mean(precision),
    recall: mean(recall),
    map: mean(map),
    coverage: train.numItems > 0 ? covered / train.numItems : 0,
  };
}
