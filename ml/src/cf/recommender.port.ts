import type { InteractionMatrix } from '../data/interaction.matrix.js';

/** The algorithms `ml:eval` and the trainer know by name. */
export const ALGORITHM_NAMES = ['als', 'ease', 'bpr', 'popularity'] as const;
export type AlgorithmName = (typeof ALGORITHM_NAMES)[number];

/** One training step reported to the caller (an ALS/BPR iteration, or EASE's single solve). */
export interface TrainingProgress {
  readonly algorithm: AlgorithmName;
  readonly iteration: number;
  readonly iterations: number;
  /** Training objective after this iteration, when the algorithm computes one. */
  readonly loss?: number;
  /** Seconds spent in this iteration. */
  readonly seconds: number;
}

export type ProgressListener = (progress: TrainingProgress) => void;

export interface Recommendations {
  /** Item indices, best first. */
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

/**
 * What every collaborative-filtering model offers: training on a user x item matrix, scoring
 * and top-k for a known user (by matrix index), and a compact artifact to store as a row.
 */
export interface Recommender<Options extends object = object> {
  readonly algorithm: AlgorithmName;
  readonly numUsers: number;
  readonly numItems: number;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  fit(
    matrix: InteractionMatrix,
    options?: Partial<Options>,
    onProgress?: ProgressListener,
  ): Promise<void>;
  /** A fresh array of one score per item (higher is better). */
  scoreItems(userIndex: number): Float32Array;
  /** The k best items for the user, leaving out `exclude` (typically the items already seen). */
  recommend(userIndex: number, k: number, exclude?: ArrayLike<number>): Recommendations;
  serialize(): Buffer;
}

export class ModelNotFittedError extends Error {
  readonly code = 'ModelNotFitted';
  constructor(algorithm: string) {
    super(`${algorithm}: fit() or a loaded artifact is needed before scoring`);
    this.name = 'ModelNotFittedError';
  }
}

export class UnknownUserError extends RangeError {
  readonly code = 'UnknownUser';
  constructor(userIndex: number, numUsers: number) {
    super(`user index ${userIndex} is outside the model's ${numUsers} users`);
    this.name = 'UnknownUserError';
  }
}
