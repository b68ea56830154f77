import type { Interactions } from './interaction.matrix.js';
import { InteractionsBuilder } from './interaction.matrix.js';
import { SeededRandom } from './seeded.random.js';

/**
 * Synthetic interaction data with planted structure, for tests and benchmarks: users and items
 * fall into latent clusters, a user mostly picks items of their own cluster, item popularity is
 * Zipf-skewed and user activity log-normal (heavy tails like MovieLens). A model that recovers
 * the clusters beats popularity by a wide margin; one that does not, does not.
 */
export interface SyntheticOptions {
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  /** Number of latent user/item clusters. */
  readonly clusters?: number;
  /** Probability that a pick comes from the user's own cluster rather than the whole catalogue. */
  readonly affinity?: number;
  /** Zipf exponent of item popularity (0 = uniform). */
  readonly popularitySkew?: number;
  /** Every user gets at least this many distinct items (MovieLens guarantees 20). */
  readonly minPerUser?: number;
  /** Spread (sigma) of the log-normal user activity. */
  readonly activitySpread?: number;
  readonly seed?: number;
}

export interface SyntheticDataset {
  readonly interactions: Interactions;
  readonly userCluster: Int32Array;
  readonly itemCluster: Int32Array;
}

/** Shapes of the MovieLens sets the benchmarks and `ml:eval --synthetic` stand in for. */
export const SYNTHETIC_PRESETS = {
  'ml-100k': { users: 943, items: 1682, interactions: 100_000, minPerUser: 20 },
  'ml-1m': { users: 6000, items: 4000, interactions: 1_000_000, minPerUser: 20 },
} as const satisfies Record<string, SyntheticOptions>;

export type SyntheticPreset = keyof typeof SYNTHETIC_PRESETS;

export function generateSynthetic(options: SyntheticOptions): SyntheticDataset {
  const {
    users: numUsers,
    items: numItems,
    interactions: total,
    clusters = 10,
    affinity = 0.8,
    popularitySkew = 0.9,
    minPerUser = 5,
    activitySpread = 1,
    seed = 1,
  } = options;
  // A user may take at most half the catalogue, so rejection sampling of distinct items ends.
  const maxPerUser = Math.max(1, Math.floor(numItems / 2));
  const floor = Math.min(minPerUser, maxPerUser);
  if (total < numUsers * floor || total > numUsers * maxPerUser) {
    throw new RangeError(
      `interactions must lie in [${numUsers * floor}, ${numUsers * maxPerUser}] for ` +
        `${numUsers} users and ${numItems} items`,
    );
  }
  const rng = new SeededRandom(seed);

  const itemCluster = new Int32Array(numItems);
  const userCluster = new Int32Array(numUsers);
  for (let i = 0; i < numItems; i++) itemCluster[i] = rng.nextInt(clusters);
  for (let u = 0; u < numUsers; u++) userCluster[u] = rng.nextInt(clusters);

  // Popularity ranks are a random permutation, so popularity is independent of the cluster.
  const rank = new Int32Array(numItems);
  for (let i = 0; i < numItems; i++) rank[i] = i;
  rng.shuffle(rank);
  const popularity = new Float64Array(numItems);
  for (let i = 0; i < numItems; i++) popularity[i] = Math.pow(rank[i]! + 1, -popularitySkew);

  const globalSampler = new WeightedSampler(Int32Array.from({ length: numItems }, (_, i) => i), popularity);
  const clusterSamplers: WeightedSampler[] = [];
  for (let c = 0; c < clusters; c++) {
    const members: number[] = [];
    for (let i = 0; i < numItems; i++) if (itemCluster[i] === c) members.push(i);
    clusterSamplers.push(
      members.length > 0 ? new WeightedSampler(Int32Array.from(members), popularity) : globalSampler,
    );
  }

  const counts = allocateActivity(rng, numUsers, total, floor, maxPerUser, activitySpread);

  const builder = new InteractionsBuilder();
  for (let u = 0; u < numUsers; u++) builder.users.intern(`u${u + 1}`);
  for (let i = 0; i < numItems; i++) builder.items.intern(`i${i + 1}`);
  const stamp = new Int32Array(numItems).fill(-1);
  const baseTime = 880_000_000;
  for (let u = 0; u < numUsers; u++) {
    const own = clusterSamplers[userCluster[u]!]!;
    let time = baseTime + rng.nextInt(86_400 * 365);
    let misses = 0;
    for (let n = 0; n < counts[u]!; ) {
      // Once the own cluster is nearly exhausted, fall back to the whole catalogue.
      const fromOwn = misses < 32 && rng.next() < affinity;
      const item = (fromOwn ? own : globalSampler).sample(rng);
      if (stamp[item] === u) {
        if (fromOwn) misses++;
        continue;
      }
      stamp[item] = u;
      time += 1 + rng.nextInt(86_400);
      builder.addIndexed(u, item, 1, time);
      n++;
    }
  }
  return { interactions: builder.build(), userCluster, itemCluster };
}

/** Splits `total` over users: `floor` each, the rest log-normally, capped at `cap`. */
function allocateActivity(
  rng: SeededRandom,
  numUsers: number,
  total: number,
  floor: number,
  cap: number,
  spread: number,
): Int32Array {
  const counts = new Int32Array(numUsers).fill(floor);
  let rest = total - numUsers * floor;
  const weights = new Float64Array(numUsers);
  // Redistributing what the cap cut off converges in a few rounds.
  while (rest > 0) {
    let sum = 0;
    for (let u = 0; u < numUsers; u++) {
      weights[u] = counts[u]! < cap ? Math.exp(spread * rng.normal()) : 0;
      sum += weights[u]!;
    }
    let given = 0;
    for (let u = 0; u < numUsers && given < rest; u++) {
      const share = Math.min(Math.floor((rest * weights[u]!) / sum), cap - counts[u]!, rest - given);
      counts[u]! += share;
      given += share;
    }
    // Rounding leaves a remainder smaller than the number of users: hand it out one by one.
    for (let u = 0; given === 0 && u < numUsers && given < rest; u++) {
      if (counts[u]! < cap) {
        counts[u]!++;
        given++;
      }
    }
    rest -= given;
  }
  return counts;
}

/** Draws members with probability proportional to weight, by binary search of the CDF. */
class WeightedSampler {
  private readonly cdf: Float64Array;

  constructor(
    private readonly members: Int32Array,
    weights: Float64Array,
  ) {
    this.cdf = new Float64Array(members.length);
    let acc = 0;
    for (let k = 0; k < members.length; k++) {
      acc += weights[members[k]!]!;
      this.cdf[k] = acc;
    }
  }

  sample(rng: SeededRandom): number {
    const cdf = this.cdf;
    const x = rng.next() * cdf[cdf.length - 1]!;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return this.members[lo]!;
  }
}

/** A preset's shape, with overrides (e.g. a different seed). */
export function generatePreset(
  preset: SyntheticPreset,
  overrides: Partial<SyntheticOptions> = {},
): SyntheticDataset {
  return generateSynthetic({ ...SYNTHETIC_PRESETS[preset], ...overrides });
}
