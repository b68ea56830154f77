import { createHash } from 'node:crypto';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  nanos,
  NatsError,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import type { Logger } from 'pino';
import { connectNats } from '../clients/clients.js';
import { TrackedBatch, withFields, type DeliveryFields } from './delivery.tracker.js';
import { JetStreamPublisher, keyHeader, msgIdHeader } from './jetstream.publisher.js';
import {
  defaultMaxBatch,
  MessageLogError,
  type ConsumeOptions,
  type MessageLog,
  type OutgoingMessage,
  type PublishResult,
  type Subscription,
} from './message-log.port.js';

export interface NatsStreamSpec {
  name: string;
  subjects: string[];
  /** Publishes with an id already seen inside this window are dropped. Default 2 minutes. */
  duplicateWindowMs?: number;
  /** Messages older than this are removed; default: kept until other limits apply. */
  maxAgeMs?: number;
}

export interface NatsLogOptions {
  url: string;
  /** Connection name, shown by the server. */
  name: string;
  /** Streams to create, or update to these subjects and limits. */
  streams: NatsStreamSpec[];
  logger: Logger;
  /** The server redelivers a message not acked within this long. Long handlers keep their
   * messages alive (`working`), so this bounds how soon a crashed member's messages move on.
   * Default 30 s. */
  ackWaitMs?: number;
  /** Most unacked messages per durable consumer: the bound on what a subscriber buffers. Default
   * 1,000. */
  maxAckPending?: number;
  /** Most publishes awaiting their PubAck at once. Default 4,096. */
  publishWindow?: number;
  /** The server removes a durable consumer nobody has pulled from for this long (for per-instance
   * groups such as live updates). Default: kept. */
  consumerInactiveThresholdMs?: number;
  /** Lifetime of each pull request. A stopped subscriber hands its messages back only once its
   * requests have expired (see `NatsSubscription.stop`), so this bounds that wait. Default 5 s. */
  pullExpiresMs?: number;
}

/** JetStream API error codes this adapter tells apart. */
const apiErrors = { streamNotFound: 10059, consumerNotFound: 10014 } as const;

/**
 * The message log over NATS JetStream. Each group is a durable pull consumer with explicit acks;
 * several subscribers of one group pull from the same consumer and so share its messages. A stream
 * keeps one order for all its subjects (`partition` is always 0), and drops a publish whose
 * `Nats-Msg-Id` it saw inside the duplicate window.
 *
 * NATS 2.9 takes one filter subject per consumer. A subscription to several topics therefore gets
 * one durable consumer per topic, named `<group>_<hash of the topic>` (a single topic uses the
 * group name itself), each in the stream that captures it; their messages meet in one queue, in
 * stream order per topic. Overlapping filters deliver a message once per matching filter, and
 * changing a group's topics leaves its old consumers behind. Durable names cannot hold `.`, `*`,
 * `>`, whitespace or slashes: those become `_` in the group name.
 */
export async function createNatsLog(options: NatsLogOptions): Promise<MessageLog> {
  const nc = await connectNats(options.url, options.name);
  try {
    const jsm = await nc.jetstreamManager();
    for (const stream of options.streams) await ensureStream(jsm, stream, options.logger);
    return new NatsLog(nc, jsm, options);
  } catch (error) {
    await nc.close();
    throw error;
  }
}

async function ensureStream(jsm: JetStreamManager, spec: NatsStreamSpec, logger: Logger) {
  const wanted = {
    subjects: spec.subjects,
    duplicate_window: nanos(spec.duplicateWindowMs ?? 120_000),
    max_age: nanos(spec.maxAgeMs ?? 0),
  };
  let current: StreamConfig | undefined;
  try {
    current = (await jsm.streams.info(spec.name)).config;
  } catch (error) {
    if (apiErrorCode(error) !== apiErrors.streamNotFound) throw error;
  }
  if (!current) {
    await jsm.streams.add({
      name: spec.name,
      ...wanted,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      num_replicas: 1,
    });
    logger.info({ stream: spec.name, subjects: spec.subjects }, 'JetStream stream created');
    return;
  }
  const same =
    [...current.subjects].sort().join(' ') === [...wanted.subjects].sort().join(' ') &&
    current.duplicate_window === wanted.duplicate_window &&
    current.max_age === wanted.max_age;
  if (same) return;
  await jsm.streams.update(spec.name, { ...current, ...wanted });
  logger.info({ stream: spec.name, subjects: spec.subjects }, 'JetStream stream updated');
}

class NatsLog implements MessageLog {
  readonly kind = 'nats' as const;
  readonly dedupById = true;
  private readonly subscriptions = new Set<NatsSubscription>();
  /** Publish calls awaiting PubAcks, so close() lets them finish. */
  private readonly publishing = new Set<Promise<unknown>>();
  private readonly ackWaitMs: number;
  private readonly maxAckPending: number;
  private readonly publisher: JetStreamPublisher;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly options: NatsLogOptions,
  ) {
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    this.maxAckPending = options.maxAckPending ?? 1_000;
    this.publisher = new JetStreamPublisher(nc, {
      window: Math.max(1, options.publishWindow ?? 4_096),
      timeoutMs: 5_000,
    });
  }

  /** Pipelined through one inbox (see `JetStreamPublisher`), PubAcks awaited together. */
  async publish(messages: OutgoingMessage[]): Promise<PublishResult[]> {
    if (this.closed) throw new MessageLogError('the message log is closed', 'closed');
    const publishing = this.publisher.publish(messages);
    this.publishing.add(publishing);
    try {
      return await publishing;
    } finally {
      this.publishing.delete(publishing);
    }
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    if (this.closed) throw new MessageLogError('the message log is closed', 'closed');
    if (options.topics.length === 0)
      throw new MessageLogError('at least one topic is required', 'invalid-name');
    const group = durableName(options.group);
    const bindings = await Promise.all(
      options.topics.map(async (filter) => {
        const stream = await this.streamFor(filter);
        const durable = options.topics.length === 1 ? group : `${group}_${shortHash(filter)}`;
        await this.ensureConsumer(stream, durable, filter, options.from ?? 'beginning');
        return { stream, durable };
      }),
    );
    const nc = await connectNats(this.options.url, `${this.options.name}:${options.group}`);
    const subscription = new NatsSubscription(nc, options, {
      logger: this.options.logger,
      ackWaitMs: this.ackWaitMs,
      pullExpiresMs: Math.max(1_000, this.options.pullExpiresMs ?? 5_000),
      onStopped: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(subscription);
    try {
      await subscription.start(bindings);
    } catch (error) {
      await subscription.stop();
      throw error;
    }
    return subscription;
  }

  /** Stops every subscription, then drains the connection (pending acks and publishes go out). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await Promise.allSettled([...this.publishing]);
    this.publisher.close();
    if (!this.nc.isClosed()) await this.nc.drain();
  }

  /** The one stream capturing the filter; none, or several, is an error. */
  private async streamFor(subject: string): Promise<string> {
    try {
      return await this.jsm.streams.find(subject);
    } catch (error) {
      if (error instanceof NatsError) throw error;
      throw new MessageLogError(
        `not exactly one JetStream stream captures "${subject}"`,
        'no-stream',
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Creates the durable consumer, or checks the existing one: its filter cannot change in place
   * on NATS 2.9, while ack wait and max ack pending follow the options.
   */
  private async ensureConsumer(
    stream: string,
    durable: string,
    filter: string,
    from: 'beginning' | 'end',
  ): Promise<void> {
    const ackWait = nanos(this.ackWaitMs);
    try {
      const { config } = await this.jsm.consumers.info(stream, durable);
      if ((config.filter_subject ?? '') !== filter)
        throw new MessageLogError(
          `consumer ${stream}/${durable} filters "${config.filter_subject}", not "${filter}"`,
          'consumer-conflict',
        );
      if (config.ack_wait !== ackWait || config.max_ack_pending !== this.maxAckPending)
        await this.jsm.consumers.update(stream, durable, {
          ack_wait: ackWait,
          max_ack_pending: this.maxAckPending,
        });
      return;
    } catch (error) {
      if (apiErrorCode(error) !== apiErrors.consumerNotFound) throw error;
    }
    const inactive = this.options.consumerInactiveThresholdMs;
    await this.jsm.consumers.add(stream, {
      durable_name: durable,
      filter_subject: filter,
      ack_policy: AckPolicy.Explicit,
      ack_wait: ackWait,
      max_ack_pending: this.maxAckPending,
      deliver_policy: from === 'end' ? DeliverPolicy.New : DeliverPolicy.All,
      ...(inactive === undefined ? {} : { inactive_threshold: nanos(inactive) }),
    });
  }
}

/**
 * One subscriber. It has a connection of its own so that stop() can drain it: the server gets the
 * unsubscribe first, messages it had already sent on still arrive and are handed back (nak), and
 * none waits out ack_wait on an inbox nobody reads.
 */
class NatsSubscription implements Subscription {
  private readonly queue: JsMsg[] = [];
  private readonly maxBatch: number;
  private current: TrackedBatch<JsMsg> | undefined;
  private pumping: Promise<void> | undefined;
  private scheduled = false;
  private stopping: Promise<void> | undefined;
  private draining = false;
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: ConsumeOptions,
    private readonly deps: {
      logger: Logger;
      ackWaitMs: number;
      pullExpiresMs: number;
      onStopped: (s: NatsSubscription) => void;
    },
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? defaultMaxBatch);
  }

  async start(bindings: { stream: string; durable: string }[]): Promise<void> {
    const js = this.nc.jetstream();
    for (const { stream, durable } of bindings) {
      const consumer = await js.consumers.get(stream, durable);
      // consume() keeps pull requests of maxBatch outstanding and refills them as messages arrive;
      // the consumer's max_ack_pending bounds how many wait here unacked.
      const pull = await consumer.consume({
        max_messages: this.maxBatch,
        expires: this.deps.pullExpiresMs,
        callback: (message) => this.enqueue(message),
      });
      void this.watch(pull, stream, durable);
    }
    // Messages waiting here or in a long batch count against ack_wait: tell the server they are
    // in progress, so they are not redelivered to another member meanwhile.
    this.keepAlive = setInterval(
      () => {
        for (const message of [...(this.current?.pendingItems() ?? []), ...this.queue])
          message.working();
      },
      Math.max(1_000, this.deps.ackWaitMs / 3),
    );
  }

  /**
   * Stops pulling, waits for the batch in flight, and hands back what this subscriber held. The
   * hand-back is a nak delayed until every pull request this subscriber left on the server has
   * expired: nats-server 2.9 sends a message due for redelivery to a waiting pull request even
   * when nobody listens on its inbox any more (it then sits out ack_wait), whenever no live
   * request is waiting, which is the case when the last member of a group stops.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.pumping;
      clearInterval(this.keepAlive);
      if (!this.nc.isClosed()) {
        // drain() unsubscribes at once; messages the server had already sent still arrive and are
        // handed back by enqueue(); acks and naks are flushed before the connection closes.
        const drained = this.nc.drain();
        this.draining = true;
        for (const message of this.queue.splice(0)) this.handBack(message);
        await drained;
      }
      this.deps.onStopped(this);
    })();
    return this.stopping;
  }

  private handBack(message: JsMsg): void {
    message.nak(this.deps.pullExpiresMs + 500);
  }

  private async watch(pull: ConsumerMessages, stream: string, durable: string): Promise<void> {
    for await (const status of await pull.status()) {
      if (status.type === 'discard' || status.type === 'next' || status.type === 'debug') continue;
      this.deps.logger.warn(
        { stream, consumer: durable, status: status.type, data: status.data },
        'JetStream consumer status',
      );
    }
  }

  private enqueue(message: JsMsg): void {
    if (this.draining) this.handBack(message);
    else {
      this.queue.push(message);
      this.schedule();
    }
  }

  /** Starts a batch from a later macrotask, so messages arriving together share a batch. */
  private schedule(): void {
    if (this.scheduled || this.pumping || this.stopping) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.pumping || this.stopping) return;
      this.pumping = this.pump().finally(() => {
        this.pumping = undefined;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 && !this.stopping) {
      const batch = new TrackedBatch(this.queue.splice(0, this.maxBatch), deliveryOf, (m, o) =>
        o.kind === 'ack' ? m.ack() : m.nak(o.delayMs > 0 ? o.delayMs : undefined),
      );
      this.current = batch;
      try {
        await this.options.handle(batch.deliveries);
      } catch (error) {
        this.deps.logger.warn(
          { err: error, group: this.options.group },
          'message handler failed; its unacked deliveries come again',
        );
      }
      this.current = undefined;
      const outcomes = batch.close();
      const pending = batch.items.filter((_, i) => outcomes[i]!.kind === 'pending');
      // While stopping, stop() hands them back with the rest.
      if (this.stopping) this.queue.unshift(...pending);
      else for (const message of pending) message.nak();
    }
  }
}

const deliveryOf = withFields(toDelivery);

function toDelivery(message: JsMsg): DeliveryFields {
  const headers: Record<string, string> = {};
  let key: string | null = null;
  let id: string | undefined;
  // Iterated rather than looked up by name: `get` searches a fresh list of the names each time.
  for (const [name, values] of message.headers ?? []) {
    const value = values[0] ?? '';
    if (name === keyHeader) key = value;
    else if (name === msgIdHeader) id = value;
    else headers[name] = value;
  }
  return {
    topic: message.subject,
    key,
    value: message.data,
    headers,
    ...(id === undefined ? {} : { id }),
    partition: 0,
    offset: String(message.seq),
    deliveryCount: message.info.deliveryCount,
    timestamp: new Date(Math.floor(message.info.timestampNanos / 1e6)),
  };
}

function apiErrorCode(error: unknown): number | undefined {
  return error instanceof NatsError ? error.api_error?.err_code : undefined;
}

/** Durable names may not contain `.`, `*`, `>`, whitespace or path separators. */
function durableName(group: string): string {
  if (!group) throw new MessageLogError('a consumer group is required', 'invalid-name');
  return group.replace(/[.*>\s/\\]/g, '_');
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}
