import type { CholeskyStep, CholeskyWorkerData, CholeskyWorkerReply } from './cholesky.worker.js';
import {
  NB,
  checkSquare,
  factorDiagonalBlock,
  invertSpdInPlace,
  mirrorLower,
  transposeInto,
  zeroUpper,
} from './cholesky.linalg.js';
import { siblingModule } from '@platform/kit';
import { WorkerPool, WorkerStartError } from './worker.pool.js';

/** Below this size starting workers costs more than the inverse itself. */
const PARALLEL_MIN_N = 384;

export interface ParallelInverse {
  readonly inverse: Float64Array;
  /** Threads actually used: 1 when the matrix was small or workers could not start. */
  readonly threads: number;
  readonly fallbackReason: string | null;
}

/**
 * The SPD inverse of cholesky.linalg.ts spread over worker threads. Panels of the Cholesky
 * factorization are updated and solved by row chunks in parallel (the small diagonal block in
 * between is factored here); the triangular inverse and the final product have independent
 * rows and are split by row blocks. `a` is overwritten when it is already shared memory,
 * otherwise copied; the result is identical to the single-threaded one bit for bit, since
 * every entry is computed by the same sequence of operations whichever thread runs it.
 */
export async function invertSpdParallel(
  a: Float64Array,
  n: number,
  threads: number,
): Promise<ParallelInverse> {
  checkSquare(a, n);
  if (threads <= 1 || n < PARALLEL_MIN_N) {
    return { inverse: invertSpdInPlace(a, n), threads: 1, fallbackReason: null };
  }
  const m = a.buffer instanceof SharedArrayBuffer ? a : sharedCopy(a);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  let pool: WorkerPool<CholeskyWorkerReply>;
  try {
    const data: CholeskyWorkerData = { counter };
    pool = await WorkerPool.start(siblingModule('cholesky.worker', import.meta.url), data, threads);
  } catch (err) {
    if (!(err instanceof WorkerStartError)) throw err;
    return { inverse: invertSpdInPlace(m, n), threads: 1, fallbackReason: err.message };
  }
  const step = async (s: CholeskyStep): Promise<void> => {
    Atomics.store(counter, 0, 0);
    for (const reply of await pool.run(s)) {
      if (reply.type === 'done' && reply.error) throw new Error(reply.error);
    }
  };
  try {
    for (let j0 = 0; j0 < n; j0 += NB) {
      if (j0 > 0) await step({ op: 'panelUpdate', a: m, n, j0 });
      factorDiagonalBlock(m, n, j0);
      if (j0 + NB < n) await step({ op: 'panelSolve', a: m, n, j0 });
    }
    zeroUpper(m, n);
    const scratch = new Float64Array(new SharedArrayBuffer(n * n * 8));
    transposeInto(m, scratch, n);
    m.fill(0);
    await step({ op: 'lowerInverse', src: scratch, dst: m, n });
    transposeInto(m, scratch, n);
    m.fill(0);
    await step({ op: 'upperGram', src: scratch, dst: m, n });
    mirrorLower(m, n);
  } finally {
    await pool.close();
  }
  return { inverse: m, threads: pool.threads, fallbackReason: null };
}

function sharedCopy(a: Float64Array): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}
