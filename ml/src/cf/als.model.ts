import { availableParallelism } from 'node:os';
import type { InteractionMatrix } from '../data/interaction.matrix.js';
import { SeededRandom } from '../data/seeded.random.js';
import { denseGram } from '../linalg/gram.linalg.js';
import { siblingModule } from '@platform/kit';
import { WorkerPool, WorkerStartError } from '../linalg/worker.pool.js';
import { decodeArtifact, encodeArtifact, requireArray } from './artifact.codec.js';
import type { AlsArrays, AlsSide } from './als.solver.js';
import type { AlsSolveMessage, AlsWorkerData, AlsWorkerReply } from './als.worker.js';
import { createScratch, sideRows, solveRows } from './als.solver.js';
import { BaseRecommender } from './recommender.base.js';
import type { ProgressListener } from './recommender.port.js';

export interface AlsOptions {
  readonly factors: number;
  readonly regularization: number;
  /** Confidence c = 1 + alpha * r. */
  readonly alpha: number;
  readonly iterations: number;
  /** CG steps per row and half-step (implicit uses 3). */
  readonly cgSteps: number;
  /** Worker threads; 1 solves in the calling thread. */
  readonly threads: number;
  /** Compute the training loss each iteration for progress (about 10% extra time). */
  readonly computeLoss: boolean;
  readonly seed: number;
}

/** Rows a worker claims at a time: small enough to balance skewed rows, large enough to be rare. */
const ROWS_PER_CLAIM = 16;

/** Tuned on MovieLens-100k under the ml:eval protocol (see eval/README.md). */
export const ALS_DEFAULTS: AlsOptions = {
  factors: 64,
  regularization: 25,
  alpha: 1.5,
  iterations: 15,
  cgSteps: 3,
  threads: availableParallelism(),
  computeLoss: false,
  seed: 1,
};

/** Implicit-feedback ALS, conjugate-gradient variant; see als.solver.ts for the maths. */
export class AlsRecommender extends BaseRecommender<AlsOptions> {
  readonly algorithm = 'als' as const;
  options: AlsOptions = ALS_DEFAULTS;
  userFactors: Float32Array = new Float32Array(0);
  itemFactors: Float32Array = new Float32Array(0);
  /** Threads the last fit actually used (1 when workers could not start). */
  trainingThreads = 0;
  /** Why the last fit fell back to one thread, if it did. */
  fallbackReason: string | null = null;

  async fit(
    matrix: InteractionMatrix,
    options: Partial<AlsOptions> = {},
    onProgress?: ProgressListener,
  ): Promise<void> {
    const o = { ...ALS_DEFAULTS, ...options };
    this.options = o;
    this.adoptShape(matrix);
    const f = o.factors;
    const threads = Math.max(1, Math.min(o.threads, Math.max(matrix.numUsers, 1)));
    const shared = threads > 1;
    const arrays = buildArrays(matrix, o, shared);
    initFactors(arrays.userFactors, o.seed);
    initFactors(arrays.itemFactors, o.seed + 1);

    let pool: WorkerPool<AlsWorkerReply> | null = null;
    const counter = new Int32Array(new SharedArrayBuffer(4));
    this.fallbackReason = null;
    if (shared) {
      try {
        const data: AlsWorkerData = { arrays, counter };
        pool = await WorkerPool.start(siblingModule('als.worker', import.meta.url), data, threads);
      } catch (err) {
        if (!(err instanceof WorkerStartError)) throw err;
        this.fallbackReason = err.message;
      }
    }
    this.trainingThreads = pool ? pool.threads : 1;
    const scratch = createScratch(f);
    const solve = async (side: AlsSide, withLoss: boolean): Promise<number> => {
      if (!pool) return solveRows(arrays, side, 0, sideRows(arrays, side), scratch, withLoss);
      Atomics.store(counter, 0, 0);
      const message: AlsSolveMessage = { side, chunk: ROWS_PER_CLAIM, withLoss };
      const replies = await pool.run(message);
      return replies.reduce((sum, r) => sum + (r.type === 'done' ? r.loss : 0), 0);
    };

    try {
      for (let it = 1; it <= o.iterations; it++) {
        const started = performance.now();
        setGram(arrays.gram, arrays.itemFactors, matrix.numItems, f, o.regularization);
        await solve('users', false);
        setGram(arrays.gram, arrays.userFactors, matrix.numUsers, f, o.regularization);
        const itemSideLoss = await solve('items', o.computeLoss);
        const loss = o.computeLoss
          ? (itemSideLoss + o.regularization * squaredNorm(arrays.userFactors)) /
            lossNormaliser(matrix, arrays.userConfidence)
          : undefined;
        onProgress?.({
          algorithm: 'als',
          iteration: it,
          iterations: o.iterations,
          seconds: (performance.now() - started) / 1000,
          ...(loss === undefined ? {} : { loss }),
        });
      }
    } finally {
      await pool?.close();
    }
    this.userFactors = arrays.userFactors;
    this.itemFactors = arrays.itemFactors;
    this.fitted = true;
  }

  scoreItems(userIndex: number): Float32Array {
    this.checkUser(userIndex);
    const f = this.options.factors;
    const Y = this.itemFactors;
    const x = this.userFactors.subarray(userIndex * f, userIndex * f + f);
    const scores = new Float32Array(this.numItems);
    for (let i = 0; i < this.numItems; i++) {
      const yo = i * f;
      let s = 0;
      for (let a = 0; a < f; a++) s += x[a]! * Y[yo + a]!;
      scores[i] = s;
    }
    return scores;
  }

  serialize(): Buffer {
    const { threads: _threads, ...params } = this.options;
    return encodeArtifact(
      {
        algorithm: this.algorithm,
        numUsers: this.numUsers,
        numItems: this.numItems,
        userIds: this.userIds,
        itemIds: this.itemIds,
        params,
      },
      { userFactors: this.userFactors, itemFactors: this.itemFactors },
    );
  }

  static deserialize(artifact: Uint8Array): AlsRecommender {
    const { header, arrays } = decodeArtifact(artifact);
    const model = new AlsRecommender();
    model.adoptShape(header);
    model.options = { ...ALS_DEFAULTS, ...(header.params as Partial<AlsOptions>) };
    model.userFactors = requireArray(arrays, 'userFactors', Float32Array);
    model.itemFactors = requireArray(arrays, 'itemFactors', Float32Array);
    model.fitted = true;
    return model;
  }
}

/** Copies the matrix into (shared, when workers will run) arrays with confidences. */
function buildArrays(m: InteractionMatrix, o: AlsOptions, shared: boolean): AlsArrays {
  const f = o.factors;
  const alloc = <T extends Float32Array | Float64Array | Int32Array>(
    ctor: { new (buffer: ArrayBufferLike): T; BYTES_PER_ELEMENT: number },
    length: number,
  ): T => {
    const bytes = length * ctor.BYTES_PER_ELEMENT;
    return new ctor(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  };
  const copy = <T extends Float32Array | Int32Array>(
    ctor: { new (buffer: ArrayBufferLike): T; BYTES_PER_ELEMENT: number },
    src: T,
  ): T => {
    const out = alloc(ctor, src.length);
    out.set(src);
    return out;
  };
  const userConfidence = alloc(Float32Array, m.nnz);
  for (let p = 0; p < m.nnz; p++) userConfidence[p] = 1 + o.alpha * m.data[p]!;
  const itemConfidence = alloc(Float32Array, m.nnz);
  for (let p = 0; p < m.nnz; p++) itemConfidence[p] = 1 + o.alpha * m.itemData[p]!;
  return {
    factors: f,
    regularization: o.regularization,
    cgSteps: o.cgSteps,
    numUsers: m.numUsers,
    numItems: m.numItems,
    userFactors: alloc(Float32Array, m.numUsers * f),
    itemFactors: alloc(Float32Array, m.numItems * f),
    userIndptr: copy(Int32Array, m.indptr),
    userIndices: copy(Int32Array, m.indices),
    userConfidence,
    itemIndptr: copy(Int32Array, m.itemIndptr),
    itemIndices: copy(Int32Array, m.itemIndices),
    itemConfidence,
    gram: alloc(Float64Array, f * f),
  };
}

/** Small positive uniform values, as implicit does: a zero start would leave CG nowhere to go. */
function initFactors(a: Float32Array, seed: number): void {
  const rng = new SeededRandom(seed);
  for (let k = 0; k < a.length; k++) a[k] = rng.next() * 0.01;
}

function setGram(out: Float64Array, y: Float32Array, rows: number, f: number, reg: number): void {
  denseGram(y, rows, f, out);
  for (let a = 0; a < f; a++) out[a * f + a]! += reg;
}

function squaredNorm(a: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * a[k]!;
  return s;
}

/** implicit's normaliser: total confidence of the positives plus the count of the zeros. */
function lossNormaliser(m: InteractionMatrix, confidence: Float32Array): number {
  let total = 0;
  for (let p = 0; p < m.nnz; p++) total += confidence[p]!;
  return total + m.numUsers * m.numItems - m.nnz;
}
