import type { Worker } from 'node:worker_threads';
import { launchWorker } from './worker.launcher.js';

const START_TIMEOUT_MS = 30_000;

export class WorkerStartError extends Error {
  readonly code = 'WorkerStart';
  constructor(cause: unknown) {
    super(
      `worker threads could not start: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'WorkerStartError';
  }
}

/**
 * A fixed set of worker threads on shared memory, driven in lockstep: `run` posts one message
 * to every worker and resolves when each has replied once. Workers post `{ type: 'ready' }`
 * when loaded, then exactly one reply per message; they split the work among themselves
 * (typically through an atomic counter in a SharedArrayBuffer), so no task list is sent.
 */
export class WorkerPool<Reply> {
  private failure: Error | null = null;

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) w.on('error', (err) => void (this.failure = err));
  }

  /** Rejects with WorkerStartError if any worker fails to load. */
  static async start<Reply>(
    entry: URL,
    workerData: unknown,
    threads: number,
  ): Promise<WorkerPool<Reply>> {
    const workers: Worker[] = [];
    try {
      for (let t = 0; t < threads; t++) workers.push(launchWorker(entry, workerData));
      await Promise.all(workers.map((w) => nextReply(w, START_TIMEOUT_MS)));
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw new WorkerStartError(err);
    }
    return new WorkerPool<Reply>(workers);
  }

  get threads(): number {
    return this.workers.length;
  }

  async run(message: unknown): Promise<Reply[]> {
    if (this.failure) throw this.failure;
    const replies = this.workers.map((w) => nextReply<Reply>(w, 0));
    for (const w of this.workers) w.postMessage(message);
    return Promise.all(replies);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The worker's next message, or its error or exit as a rejection (and a timeout if > 0). */
function nextReply<Reply>(w: Worker, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const timer =
      timeoutMs > 0 ? setTimeout(() => finish(new Error('timed out')), timeoutMs) : undefined;
    const onMessage = (m: Reply): void => finish(null, m);
    const onError = (err: Error): void => finish(err);
    const onExit = (code: number): void => finish(new Error(`worker exited with code ${code}`));
    function finish(err: Error | null, m?: Reply): void {
      if (timer) clearTimeout(timer);
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
      if (err) reject(err);
      else resolve(m as Reply);
    }
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
  });
}
