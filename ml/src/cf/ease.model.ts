import { availableParallelism } from 'node:os';
import type { InteractionMatrix } from '../data/interaction.matrix.js';
import { invertSpdParallel } from '../linalg/cholesky.parallel.js';
import { sparseGram } from '../linalg/gram.linalg.js';
import { decodeArtifact, encodeArtifact, requireArray } from './artifact.codec.js';
import { BaseRecommender } from './recommender.base.js';
import type { ProgressListener } from './recommender.port.js';

export interface EaseOptions {
  /** L2 penalty on the item-item weights (Steck's lambda). */
  readonly lambda: number;
  /** Worker threads for the inverse; 1 inverts in the calling thread. */
  readonly threads: number;
}

/** Tuned on MovieLens-100k under the ml:eval protocol (see eval/README.md). */
export const EASE_DEFAULTS: EaseOptions = { lambda: 400, threads: availableParallelism() };

/**
 * EASE (Steck 2019): the item-item weights minimising |X - X B|^2 + lambda |B|^2 with a zero
 * diagonal have the closed form B = I - P diag(1 / diag(P)), P = (X^T X + lambda I)^-1.
 * One Gram matrix and one SPD inverse; O(items^2) memory, so for catalogues of thousands.
 * A user's scores are x_u B: the sum of the B rows of the items they interacted with.
 */
export class EaseRecommender extends BaseRecommender<EaseOptions> {
  readonly algorithm = 'ease' as const;
  options: EaseOptions = EASE_DEFAULTS;
  /** items x items, row-major. */
  weights: Float32Array = new Float32Array(0);
  /** Threads the last fit's inverse used (1 for small catalogues or when workers failed). */
  trainingThreads = 0;
  fallbackReason: string | null = null;
  private indptr: Int32Array = new Int32Array(1);
  private indices: Int32Array = new Int32Array(0);
  private data: Float32Array = new Float32Array(0);

  async fit(
    matrix: InteractionMatrix,
    options: Partial<EaseOptions> = {},
    onProgress?: ProgressListener,
  ): Promise<void> {
    const o = { ...EASE_DEFAULTS, ...options };
    this.options = o;
    this.adoptShape(matrix);
    const started = performance.now();
    const n = matrix.numItems;
    // Shared memory lets the inverse run on worker threads without copying n^2 values.
    const gram = new Float64Array(
      o.threads > 1 ? new SharedArrayBuffer(n * n * 8) : new ArrayBuffer(n * n * 8),
    );
    sparseGram(matrix, matrix.numUsers, n, gram);
    for (let i = 0; i < n; i++) gram[i * n + i]! += o.lambda;
    const { inverse: p, threads, fallbackReason } = await invertSpdParallel(gram, n, o.threads);
    this.trainingThreads = threads;
    this.fallbackReason = fallbackReason;
    const b = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j < n; j++) b[ri + j] = i === j ? 0 : -p[ri + j]! / p[j * n + j]!;
    }
    this.weights = b;
    this.indptr = matrix.indptr;
    this.indices = matrix.indices;
    this.data = matrix.data;
    this.fitted = true;
    onProgress?.({
      algorithm: 'ease',
      iteration: 1,
      iterations: 1,
      seconds: (performance.now() - started) / 1000,
    });
  }

  scoreItems(userIndex: number): Float32Array {
    this.checkUser(userIndex);
    return this.scoreHistory(
      this.indices.subarray(this.indptr[userIndex]!, this.indptr[userIndex + 1]!),
      this.data.subarray(this.indptr[userIndex]!, this.indptr[userIndex + 1]!),
    );
  }

  /** Scores for any history (item indices, optional weights): works for users unseen in training. */
  scoreHistory(items: ArrayLike<number>, weights?: ArrayLike<number>): Float32Array {
    const n = this.numItems;
    const acc = new Float64Array(n);
    const b = this.weights;
    for (let k = 0; k < items.length; k++) {
      const w = weights ? weights[k]! : 1;
      const ro = items[k]! * n;
      for (let j = 0; j < n; j++) acc[j]! += w * b[ro + j]!;
    }
    return Float32Array.from(acc);
  }

  serialize(): Buffer {
    return encodeArtifact(
      {
        algorithm: this.algorithm,
        numUsers: this.numUsers,
        numItems: this.numItems,
        userIds: this.userIds,
        itemIds: this.itemIds,
        params: { lambda: this.options.lambda },
      },
      { weights: this.weights, indptr: this.indptr, indices: this.indices, data: this.data },
    );
  }

  static deserialize(artifact: Uint8Array): EaseRecommender {
    const { header, arrays } = decodeArtifact(artifact);
    const model = new EaseRecommender();
    model.adoptShape(header);
    model.options = { ...EASE_DEFAULTS, ...(header.params as Partial<EaseOptions>) };
    model.weights = requireArray(arrays, 'weights', Float32Array);
    model.indptr = requireArray(arrays, 'indptr', Int32Array);
    model.indices = requireArray(arrays, 'indices', Int32Array);
    model.data = requireArray(arrays, 'data', Float32Array);
    model.fitted = true;
    return model;
  }
}
