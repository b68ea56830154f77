import { parentPort, workerData } from 'node:worker_threads';
import {
  NB,
  lowerInverseRows,
  panelSolveRows,
  panelUpdateRows,
  upperGramRows,
} from './cholesky.linalg.js';

/**
 * A dense-algebra worker for cholesky.parallel.ts. The matrices are views of SharedArrayBuffers
 * sent with each step; the worker claims row chunks or row blocks from the shared counter until
 * none are left, then replies once.
 */
export interface CholeskyWorkerData {
  readonly counter: Int32Array;
}

export type CholeskyStep =
  | {
      readonly op: 'panelUpdate' | 'panelSolve';
      readonly a: Float64Array;
      readonly n: number;
      readonly j0: number;
    }
  | {
      readonly op: 'lowerInverse' | 'upperGram';
      readonly src: Float64Array;
      readonly dst: Float64Array;
      readonly n: number;
    };

export type CholeskyWorkerReply =
  { readonly type: 'ready' } | { readonly type: 'done'; readonly error?: string };

/** Rows per claim in the panel steps; a multiple of the 4-row tiles. */
const PANEL_CHUNK = 32;

function claim(counter: Int32Array, step: number): number {
  return Atomics.add(counter, 0, step);
}

function runStep(step: CholeskyStep, counter: Int32Array): void {
  switch (step.op) {
    case 'panelUpdate': {
      const { a, n, j0 } = step;
      for (let r = j0 + claim(counter, PANEL_CHUNK); r < n; r = j0 + claim(counter, PANEL_CHUNK)) {
        panelUpdateRows(a, n, j0, r, Math.min(n, r + PANEL_CHUNK));
      }
      return;
    }
    case 'panelSolve': {
      const { a, n, j0 } = step;
      const first = Math.min(n, j0 + NB);
      for (
        let r = first + claim(counter, PANEL_CHUNK);
        r < n;
        r = first + claim(counter, PANEL_CHUNK)
      ) {
        panelSolveRows(a, n, j0, r, Math.min(n, r + PANEL_CHUNK));
      }
      return;
    }
    case 'lowerInverse':
    case 'upperGram': {
      const { src, dst, n } = step;
      const blocks = Math.ceil(n / NB);
      // A row block of L^-1 costs more the lower it sits, so those are handed out first and
      // the last claims are cheap; V V^T costs most in the middle, and ascending order is fine.
      for (let b = claim(counter, 1); b < blocks; b = claim(counter, 1)) {
        const r0 = step.op === 'lowerInverse' ? (blocks - 1 - b) * NB : b * NB;
        const r1 = Math.min(n, r0 + NB);
        if (step.op === 'lowerInverse') lowerInverseRows(src, dst, n, r0, r1);
        else upperGramRows(src, dst, n, r0, r1);
      }
      return;
    }
  }
}

const port = parentPort;
if (port) {
  const { counter } = workerData as CholeskyWorkerData;
  port.on('message', (step: CholeskyStep) => {
    try {
      runStep(step, counter);
      port.postMessage({ type: 'done' } satisfies CholeskyWorkerReply);
    } catch (err) {
      port.postMessage({
        type: 'done',
        error: err instanceof Error ? err.message : String(err),
      } satisfies CholeskyWorkerReply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies CholeskyWorkerReply);
}
