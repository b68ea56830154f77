import { generateSynthetic } from '../data/synthetic.generator.js';
import type { Split } from '../eval/split.eval.js';
import { stratifiedSplit } from '../eval/split.eval.js';

/**
 * A small planted-structure split shared by the model tests: 300 users and 200 items in five
 * clusters, 6,000 interactions. Small enough for a unit test, big enough that a model that
 * finds the clusters beats popularity by a wide margin.
 */
export function plantedSplit(seed = 7): Split {
  const { interactions } = generateSynthetic({
    users: 300,
    items: 200,
    interactions: 6000,
    clusters: 5,
    minPerUser: 8,
    seed,
  });
  return stratifiedSplit(interactions, { seed: 3, binary: true });
}
