import type { InteractionMatrix } from '../data/interaction.matrix.js';
import { hasInteraction } from '../data/interaction.matrix.js';
import { SeededRandom } from '../data/seeded.random.js';
import { decodeArtifact, encodeArtifact, requireArray } from './artifact.codec.js';
import { BaseRecommender } from './recommender.base.js';
import type { ProgressListener } from './recommender.port.js';

export interface BprOptions {
  readonly factors: number;
  readonly learningRate: number;
  readonly regularization: number;
  /** Epochs; each draws as many (user, positive, negative) triples as there are interactions. */
  readonly iterations: number;
  /**
   * `uniform` draws negatives uniformly from the catalogue; `popularity` draws them from the
   * interaction array (benfred/implicit), so popular items are pushed down more often.
   */
  readonly negativeSampling: 'uniform' | 'popularity';
  /** Redraw a negative that turns out to be a positive of the user (up to a few times). */
  readonly verifyNegatives: boolean;
  readonly seed: number;
}

/** Tuned on MovieLens-100k under the ml:eval protocol (see eval/README.md). */
export const BPR_DEFAULTS: BprOptions = {
  factors: 64,
  learningRate: 0.02,
  regularization: 0.02,
  iterations: 200,
  negativeSampling: 'uniform',
  verifyNegatives: true,
  seed: 1,
};

const MAX_NEGATIVE_TRIES = 10;

/**
 * BPR-MF (Rendle et al. 2009): SGD on ln sigmoid(x_u.(y_i - y_j) + b_i - b_j) for sampled
 * positives i and negatives j of user u, with L2 regularisation; factors and biases on typed
 * arrays. Positives are drawn from the interaction array, so active users are sampled more.
 */
export class BprRecommender extends BaseRecommender<BprOptions> {
  readonly algorithm = 'bpr' as const;
  options: BprOptions = BPR_DEFAULTS;
  userFactors: Float32Array = new Float32Array(0);
  itemFactors: Float32Array = new Float32Array(0);
  itemBias: Float32Array = new Float32Array(0);

  async fit(
    matrix: InteractionMatrix,
    options: Partial<BprOptions> = {},
    onProgress?: ProgressListener,
  ): Promise<void> {
    const o = { ...BPR_DEFAULTS, ...options };
    this.options = o;
    this.adoptShape(matrix);
    const f = o.factors;
    const { numUsers, numItems, nnz, indices } = matrix;
    const rng = new SeededRandom(o.seed);
    const X = new Float32Array(numUsers * f);
    const Y = new Float32Array(numItems * f);
    const bias = new Float32Array(numItems);
    for (let k = 0; k < X.length; k++) X[k] = (rng.next() - 0.5) / f;
    for (let k = 0; k < Y.length; k++) Y[k] = (rng.next() - 0.5) / f;
    const userOf = new Int32Array(nnz);
    for (let u = 0; u < numUsers; u++) userOf.fill(u, matrix.indptr[u]!, matrix.indptr[u + 1]!);
    const lr = o.learningRate;
    const reg = o.regularization;
    const popularity = o.negativeSampling === 'popularity';

    for (let it = 1; it <= o.iterations && nnz > 0; it++) {
      const started = performance.now();
      let logLoss = 0;
      let samples = 0;
      for (let s = 0; s < nnz; s++) {
        const q = rng.nextInt(nnz);
        const u = userOf[q]!;
        const i = indices[q]!;
        const j = sampleNegative(matrix, u, rng, popularity, o.verifyNegatives);
        // A user who has (nearly) every item yields no usable negative: skip the sample.
        if (j < 0 || j === i) continue;
        const xo = u * f;
        const io = i * f;
        const jo = j * f;
        let z = bias[i]! - bias[j]!;
        for (let a = 0; a < f; a++) z += X[xo + a]! * (Y[io + a]! - Y[jo + a]!);
        // d/dz ln sigmoid(z) = 1 - sigmoid(z) = sigmoid(-z)
        const g = 1 / (1 + Math.exp(z));
        logLoss += z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
        samples++;
        bias[i]! += lr * (g - reg * bias[i]!);
        bias[j]! += lr * (-g - reg * bias[j]!);
        for (let a = 0; a < f; a++) {
          const xu = X[xo + a]!;
          const yi = Y[io + a]!;
          const yj = Y[jo + a]!;
          X[xo + a] = xu + lr * (g * (yi - yj) - reg * xu);
          Y[io + a] = yi + lr * (g * xu - reg * yi);
          Y[jo + a] = yj + lr * (-g * xu - reg * yj);
        }
      }
      onProgress?.({
        algorithm: 'bpr',
        iteration: it,
        iterations: o.iterations,
        loss: samples > 0 ? logLoss / samples : 0,
        seconds: (performance.now() - started) / 1000,
      });
    }
    this.userFactors = X;
    this.itemFactors = Y;
    this.itemBias = bias;
    this.fitted = true;
  }

  scoreItems(userIndex: number): Float32Array {
    this.checkUser(userIndex);
    const f = this.options.factors;
    const xo = userIndex * f;
    const X = this.userFactors;
    const Y = this.itemFactors;
    const scores = new Float32Array(this.numItems);
    for (let i = 0; i < this.numItems; i++) {
      const yo = i * f;
      let s = this.itemBias[i]!;
      for (let a = 0; a < f; a++) s += X[xo + a]! * Y[yo + a]!;
      scores[i] = s;
    }
    return scores;
  }

  serialize(): Buffer {
    return encodeArtifact(
      {
        algorithm: this.algorithm,
        numUsers: this.numUsers,
        numItems: this.numItems,
        userIds: this.userIds,
        itemIds: this.itemIds,
        params: { ...this.options },
      },
      { userFactors: this.userFactors, itemFactors: this.itemFactors, itemBias: this.itemBias },
    );
  }

  static deserialize(artifact: Uint8Array): BprRecommender {
    const { header, arrays } = decodeArtifact(artifact);
    const model = new BprRecommender();
    model.adoptShape(header);
    model.options = { ...BPR_DEFAULTS, ...(header.params as Partial<BprOptions>) };
    model.userFactors = requireArray(arrays, 'userFactors', Float32Array);
    model.itemFactors = requireArray(arrays, 'itemFactors', Float32Array);
    model.itemBias = requireArray(arrays, 'itemBias', Float32Array);
    model.fitted = true;
    return model;
  }
}

/**
 * A negative item for user u: uniform over the catalogue, or drawn from the interaction array
 * (popularity-proportional). With `verify`, a draw that is one of the user's positives is
 * redrawn, up to a few times; -1 when every try hit a positive.
 */
export function sampleNegative(
  matrix: InteractionMatrix,
  u: number,
  rng: SeededRandom,
  popularity: boolean,
  verify: boolean,
): number {
  for (let t = 0; t < MAX_NEGATIVE_TRIES; t++) {
    const candidate = popularity
      ? matrix.indices[rng.nextInt(matrix.nnz)]!
      : rng.nextInt(matrix.numItems);
    if (!verify || !hasInteraction(matrix, u, candidate)) return candidate;
  }
  return -1;
}
