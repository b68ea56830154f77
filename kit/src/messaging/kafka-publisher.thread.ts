import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { launchWorker, siblingModule } from '../threads/launch-worker.js';
import type { KafkaLogOptions } from './kafka.adapter.js';
import {
  MessageLogError,
  type MessagePublisher,
  type OutgoingMessage,
  type PublishResult,
} from './message-log.port.js';

export type PublisherRequest =
  | {
      type: 'publish';
      id: number;
      messages: Omit<OutgoingMessage, 'value'>[];
      /** Every message's value, one after the other (transferred, not copied). */
      values: ArrayBuffer;
      lengths: number[];
    }
  | { type: 'close' };

export type PublisherReply =
  | { type: 'ready' }
  | { type: 'start-failed'; message: string }
  | { type: 'published'; id: number; results: PublishResult[] }
  | { type: 'failed'; id: number; message: string; code?: string };

export interface KafkaPublisherThreadOptions extends Omit<KafkaLogOptions, 'logger' | 'consumer'> {
  logger: Logger;
  /** For the worker's own log lines. */
  service: string;
}

interface Pending {
  resolve: (results: PublishResult[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Publishes to Kafka from a worker thread that owns its own producer (`createKafkaLog` there),
 * with the same results and errors as publishing here. kafkajs encodes each record with many
 * small buffers (varints, murmur2 keys): for core-api's impressions, ten records per list
 * served, that was most of the event loop's allocation and the reason its heap was collected
 * every 100 ms under load. Here the caller only packs the values into one transferred buffer.
 *
 * If the thread dies, what it had not confirmed fails with `publish-failed` (the producer is
 * idempotent, but a message may still have been stored) and the next publish starts a new one.
 */
export class KafkaPublisherThread implements MessagePublisher {
  private worker: Promise<Worker> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  private constructor(private readonly options: KafkaPublisherThreadOptions) {}

  /** Starts the thread and its producer; rejects when either cannot start. */
  static async start(options: KafkaPublisherThreadOptions): Promise<KafkaPublisherThread> {
    const publisher = new KafkaPublisherThread(options);
    await publisher.thread();
    return publisher;
  }

  async publish(messages: OutgoingMessage[]): Promise<PublishResult[]> {
    if (this.closed) throw new MessageLogError('the message log is closed', 'closed');
    if (messages.length === 0) return [];
    const worker = await this.thread();
    let total = 0;
    for (const m of messages) total += m.value.byteLength;
    const values = new Uint8Array(total);
    const lengths: number[] = [];
    const meta: Omit<OutgoingMessage, 'value'>[] = [];
    let offset = 0;
    for (const { value, ...rest } of messages) {
      values.set(value, offset);
      offset += value.byteLength;
      lengths.push(value.byteLength);
      meta.push(rest);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const request: PublisherRequest = {
        type: 'publish',
        id,
        messages: meta,
        values: values.buffer,
        lengths,
      };
      worker.postMessage(request, [values.buffer]);
    });
  }

  /** Waits for what is in flight, closes the producer and ends the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = await this.worker?.catch(() => undefined);
    if (!worker) return;
    const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies PublisherRequest);
    const timer = setTimeout(() => void worker.terminate(), 10_000);
    await ended;
    clearTimeout(timer);
  }

  /** The running thread, started (again) when there is none. */
  private thread(): Promise<Worker> {
    this.worker ??= this.launch().catch((error: unknown) => {
      this.worker = undefined;
      throw error;
    });
    return this.worker;
  }

  private launch(): Promise<Worker> {
    const { logger, service, ...kafka } = this.options;
    const worker = launchWorker(siblingModule('kafka-publisher.worker', import.meta.url), {
      kafka,
      service,
      level: logger.level,
    });
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (reply: PublisherReply) => {
        if (reply.type === 'ready') {
          ready = true;
          resolve(worker);
        } else if (reply.type === 'start-failed') {
          reject(
            new MessageLogError(`Kafka producer did not start: ${reply.message}`, 'publish-failed'),
          );
        } else if (reply.type === 'published') {
          this.settle(reply.id)?.resolve(reply.results);
        } else if (reply.type === 'failed') {
          const error = new MessageLogError(
            reply.message,
            reply.code === 'closed' ? 'closed' : 'publish-failed',
          );
          this.settle(reply.id)?.reject(error);
        }
      });
      worker.on('error', (error) => logger.error({ err: error }, 'Kafka publisher thread failed'));
      worker.once('exit', (code) => {
        const lost = new MessageLogError(
          `the Kafka publisher thread exited (code ${code}) before confirming`,
          'publish-failed',
        );
        // A thread that never got ready held nothing, and another may already have replaced it.
        if (!ready) return reject(lost);
        this.worker = undefined;
        for (const p of this.pending.values()) p.reject(lost);
        this.pending.clear();
        if (!this.closed)
          logger.warn({ code }, 'Kafka publisher thread exited; the next publish restarts it');
      });
    });
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }
}
