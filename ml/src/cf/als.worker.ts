import { parentPort, workerData } from 'node:worker_threads';
import type { AlsArrays, AlsSide } from './als.solver.js';
import { createScratch, sideRows, solveRows } from './als.solver.js';

/**
 * One ALS worker. All arrays arrive as views of SharedArrayBuffers, so the factors it writes
 * are the main thread's factors; rows are claimed in small chunks from a shared atomic
 * counter, which balances the load when a few items have thousands of users.
 */
export interface AlsWorkerData {
  readonly arrays: AlsArrays;
  readonly counter: Int32Array;
}

export interface AlsSolveMessage {
  readonly side: AlsSide;
  readonly chunk: number;
  readonly withLoss: boolean;
}

export type AlsWorkerReply =
  { readonly type: 'ready' } | { readonly type: 'done'; readonly loss: number };

const port = parentPort;
if (port) {
  const { arrays, counter } = workerData as AlsWorkerData;
  const scratch = createScratch(arrays.factors);
  port.on('message', ({ side, chunk, withLoss }: AlsSolveMessage) => {
    const rows = sideRows(arrays, side);
    let loss = 0;
    for (;;) {
      const start = Atomics.add(counter, 0, chunk);
      if (start >= rows) break;
      loss += solveRows(arrays, side, start, Math.min(rows, start + chunk), scratch, withLoss);
    }
    port.postMessage({ type: 'done', loss } satisfies AlsWorkerReply);
  });
  port.postMessage({ type: 'ready' } satisfies AlsWorkerReply);
}
