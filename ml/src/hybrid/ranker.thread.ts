import type { Worker } from 'node:worker_threads';
import { launchWorker } from '../linalg/worker.launcher.js';
import { siblingModule } from '@platform/kit';
import { WorkerStartError } from '../linalg/worker.pool.js';
import type { CandidateInfo, Ranked } from './hybrid.ranker.js';
import type { RankerMessage, RankerReply, RankJob } from './ranker.state.js';

export type { RankJob };

const START_TIMEOUT_MS = 30_000;

/**
 * Ranking on a worker thread, so a recommendation's scoring (retrieval over the inverted lists
 * and the re-rank, most of its CPU) runs beside the event loop instead of on it. The thread keeps
 * its own copy of the index and the events' facts, fed by the serving side's changes in order
 * (`reset`, `place`, `describe`, `remove`); since messages are handled in the order they were
 * posted, a ranking sees exactly the state the serving side had when it asked.
 *
 * Hand-written rather than a pool library (piscina and the like): those dispatch stateless tasks
 * to any of several threads, and this state has to follow one ordered stream of changes.
 */
export class RankerThread {
  private readonly pending = new Map<
    number,
    { resolve: (ranked: Ranked[]) => void; reject: (err: Error) => void }
  >();
  private next = 0;
  private failure: Error | null = null;
  /** Factors per vector of the model last sent by `reset`. */
  private k = 0;
  /** Messages posted in this turn of the event loop, and the buffers they transfer. */
  private outbox: RankerMessage[] = [];
  private transfers: ArrayBuffer[] = [];

  private constructor(
    private readonly worker: Worker,
    private readonly onFailure: (err: Error) => void,
  ) {
    worker.on('message', (replies: RankerReply[]) => {
      for (const reply of replies) {
        const waiter = this.pending.get(reply.id);
        if (!waiter) continue;
        this.pending.delete(reply.id);
        if ('error' in reply) waiter.reject(new Error(reply.error));
        else waiter.resolve(reply.ranked);
      }
    });
    worker.on('error', (err) => this.fail(err, true));
    worker.on('exit', (code) =>
      this.fail(new Error(`ranker thread exited with code ${code}`), true),
    );
  }

  /** Starts the thread; rejects with WorkerStartError if it cannot load. */
  static async start(onFailure: (err: Error) => void = () => {}): Promise<RankerThread> {
    const worker = launchWorker(siblingModule('ranker.worker', import.meta.url));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => settle(new Error('timed out')), START_TIMEOUT_MS);
        const onReady = () => settle(null);
        const onExit = (code: number) => settle(new Error(`exited with code ${code}`));
        // Only our own listeners come off: the Worker's internal ones must stay.
        function settle(err: Error | null) {
          clearTimeout(timer);
          worker.off('message', onReady).off('error', settle).off('exit', onExit);
          if (err) reject(err);
          else resolve();
        }
        worker.once('message', onReady).once('error', settle).once('exit', onExit);
      });
    } catch (err) {
      await worker.terminate();
      throw new WorkerStartError(err);
    }
    return new RankerThread(worker, onFailure);
  }

  /** False once the thread has failed: rank in-thread then, and start a new one. */
  get healthy(): boolean {
    return this.failure === null;
  }

  /** A new model: from here on, the thread's index is empty until `place`. */
  reset(k: number, centroids: Float32Array | null, capacity: number): void {
    this.k = k;
    // A copy: posting a view would clone the whole artifact buffer it points into.
    this.post({ op: 'reset', k, centroids: centroids?.slice() ?? null, capacity });
  }

  /** Events' vectors, and their inverted list when known (saves the thread finding it). */
  place(entries: readonly { id: string; vector: Float32Array; list?: number }[]): void {
    if (entries.length === 0) return;
    const k = this.k;
    const vectors = new Float32Array(entries.length * k);
    const lists = Int32Array.from(entries, (e) => e.list ?? -1);
    entries.forEach((e, i) => vectors.set(e.vector.subarray(0, k), i * k));
    this.post({ op: 'place', ids: entries.map((e) => e.id), vectors, lists }, [
      vectors.buffer,
      lists.buffer,
    ]);
  }

  describe(entries: readonly (CandidateInfo & { id: string })[]): void {
    if (entries.length === 0) return;
    const startsAt = Float64Array.from(entries, (e) => e.startsAt);
    const trends = Float32Array.from(entries, (e) => e.trend);
    this.post(
      {
        op: 'describe',
        ids: entries.map((e) => e.id),
        titles: entries.map((e) => e.title),
        categories: entries.map((e) => e.category),
        cities: entries.map((e) => e.city),
        startsAt,
        trends,
      },
      [startsAt.buffer, trends.buffer],
    );
  }

  remove(ids: readonly string[]): void {
    if (ids.length > 0) this.post({ op: 'remove', ids: [...ids] });
  }

  rank(job: RankJob): Promise<Ranked[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise<Ranked[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ op: 'rank', id, job });
    });
  }

  async close(): Promise<void> {
    this.fail(new Error('ranker thread closed'), false);
    await this.worker.terminate();
  }

  /** Fails every waiting ranking (their requests rank in-thread instead). */
  private fail(err: Error, notify: boolean): void {
    if (this.failure) return;
    this.failure = err;
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
    if (notify) this.onFailure(err);
  }

  /**
   * Queued, and sent with everything else posted in the same turn of the event loop as one
   * message, in order. Each message to a thread is a system call to wake it (tens of
   * microseconds on this VM, a sizeable share of a recommendation's event-loop time); under load
   * several requests reach this point in one turn.
   */
  private post(message: RankerMessage, transfer: ArrayBuffer[] = []): void {
    if (this.failure) return;
    this.outbox.push(message);
    this.transfers.push(...transfer);
    if (this.outbox.length === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const batch = this.outbox;
    const transfers = this.transfers;
    this.outbox = [];
    this.transfers = [];
    if (!this.failure && batch.length > 0) this.worker.postMessage(batch, transfers);
  }
}
