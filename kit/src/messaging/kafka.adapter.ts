import {
  CompressionTypes,
  Partitioners,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type ICustomPartitioner,
  type IHeaders,
  type Kafka,
  type KafkaMessage,
  type Message,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import { createKafka } from '../clients/clients.js';
import {
  asBytes,
  resumePoint,
  SettlingDelivery,
  TrackedBatch,
  type Settles,
} from './delivery.tracker.js';
import {
  defaultMaxBatch,
  MessageLogError,
  type ConsumeOptions,
  type Delivery,
  type MessageLog,
  type OutgoingMessage,
  type PublishResult,
  type Subscription,
} from './message-log.port.js';

export interface KafkaTopicSpec {
  name: string;
  partitions: number;
}

export interface KafkaLogOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Topics to create, or to grow to this many partitions. */
  topics?: KafkaTopicSpec[];
  /** Partitions of a topic created when first published to or consumed. Default 3. */
  defaultPartitions?: number;
  compression?: 'none' | 'gzip';
  /** Upper bound on the bytes of one produce request; concurrent publishes are coalesced into
   * requests up to this size. Below the broker's default `message.max.bytes` (1 MiB) so a
   * partition's record batch always fits. Default 900,000. */
  maxRequestBytes?: number;
  consumer?: {
    /** Default 30 s. */
    sessionTimeoutMs?: number;
    /** How often members heartbeat, and so how soon they notice a rebalance. Default 1 s. */
    heartbeatIntervalMs?: number;
    /** Longest a fetch waits on the broker for new messages; also bounds how long stop() and a
     * rebalance wait for a fetch. Default 500 ms. */
    maxWaitTimeMs?: number;
    /** Bytes fetched per partition per request. kafkajs' 1 MiB default caps a batch at a few
     * thousand small messages; bulk consumers (analytics) fetch more per round trip. */
    maxBytesPerPartition?: number;
    /** Bytes per fetch request over all partitions. Default 10 MiB (kafkajs). */
    maxBytes?: number;
    /** How many partitions' batches the handler may work on at once (kafkajs
     * `partitionsConsumedConcurrently`); each partition still gets its batches one at a time, in
     * order. Above 1, a consumer that waits on I/O per batch (analytics: ClickHouse inserts)
     * prepares one partition's batch while another's is written. Default 1. */
    partitionsConcurrently?: number;
  };
}

/**
 * The message log over Kafka (kafkajs). Publishing goes through one idempotent producer (acks from
 * all in-sync replicas, one request in flight so retries keep order); consuming is a consumer
 * group per subscription with `eachBatch`, offsets resolved only up to the last contiguously
 * acked message, and anything else redelivered by seeking its partition back to it.
 *
 * Kafka keeps no delivery count and has no nak: the adapter counts redeliveries it made itself
 * (per subscription, so a restart or rebalance starts again at 1), and a nak with a delay pauses
 * the partition for that long. Message ids are not used for deduplication here.
 */
export async function createKafkaLog(options: KafkaLogOptions): Promise<MessageLog> {
  const kafka = createKafka(options);
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    // kafkajs tracks the idempotent sequence numbers itself and pairs idempotence with one request
    // in flight, so a retry cannot overtake a later batch; coalescing keeps requests large instead.
    maxInFlightRequests: 1,
    // Unbounded retries, as the idempotent producer needs (a send given up on can leave the
    // broker's sequence ahead of ours): during a broker outage publish() waits instead of failing.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 30_000 },
    createPartitioner: recordingPartitioner,
    allowAutoTopicCreation: false,
  });
  try {
    await admin.connect();
    await producer.connect();
    const log = new KafkaLog(kafka, admin, producer, options);
    await log.ensureTopics(options.topics ?? []);
    return log;
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    throw error;
  }
}

/**
 * kafkajs's default (Java-compatible murmur2) partitioner, writing its choice into the message
 * object: sendBatch reports one base offset per partition, so each message's offset follows from
 * its partition and position. Reusing the choice on a retry also keeps a keyless message on the
 * same partition.
 *
 * Messages with one key often come in a run (the ten impressions of a served list), and a keyed
 * message's partition depends only on its key and the topic's partition count, so the last
 * choice is reused for the rest of a run instead of hashing the key again (murmur2 over
 * kafkajs's 64-bit Long arithmetic was about 7% of the producer thread in a profile).
 */
export const recordingPartitioner: ICustomPartitioner = () => {
  const partition = Partitioners.DefaultPartitioner();
  let last: { topic: string; key: string; partitions: number; partition: number } | undefined;
  return (args) => {
    const { message, topic } = args;
    const partitions = args.partitionMetadata.length;
    if (message.partition !== undefined && message.partition < partitions) return message.partition;
    const key = message.key;
    if (typeof key !== 'string') return (message.partition = partition(args));
    if (last?.key !== key || last.topic !== topic || last.partitions !== partitions)
      last = { topic, key, partitions, partition: partition(args) };
    return (message.partition = last.partition);
  };
};

interface PublishJob {
  messages: OutgoingMessage[];
  results: PublishResult[];
  remaining: number;
  failed: boolean;
  resolve: (results: PublishResult[]) => void;
  reject: (error: unknown) => void;
}

class KafkaLog implements MessageLog {
  readonly kind = 'kafka' as const;
  readonly dedupById = false;
  private readonly knownTopics = new Map<string, Promise<void>>();
  private readonly subscriptions = new Set<KafkaSubscription>();
  /** Messages waiting for a produce request, in publish order. */
  private readonly queue: { job: PublishJob; index: number }[] = [];
  /** The loop sending queued messages, while one runs. */
  private sending: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly producer: Producer,
    private readonly options: KafkaLogOptions,
  ) {}

  async publish(messages: OutgoingMessage[]): Promise<PublishResult[]> {
    if (this.closed) throw new MessageLogError('the message log is closed', 'closed');
    if (messages.length === 0) return [];
    await Promise.all([...new Set(messages.map((m) => m.topic))].map((t) => this.ensureTopic(t)));
    return new Promise((resolve, reject) => {
      const job: PublishJob = {
        messages,
        results: new Array(messages.length),
        remaining: messages.length,
        failed: false,
        resolve,
        reject,
      };
      messages.forEach((_, index) => this.queue.push({ job, index }));
      this.sending ??= this.sendQueued().finally(() => (this.sending = undefined));
    });
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    if (this.closed) throw new MessageLogError('the message log is closed', 'closed');
    if (!options.group) throw new MessageLogError('a consumer group is required', 'invalid-name');
    if (options.topics.length === 0)
      throw new MessageLogError('at least one topic is required', 'invalid-name');
    await Promise.all(options.topics.map((t) => this.ensureTopic(t)));
    const startAtEnd = options.from === 'end' ? await this.endsForNewGroup(options) : new Map();
    const tuning = this.options.consumer ?? {};
    const heartbeatIntervalMs = tuning.heartbeatIntervalMs ?? 1_000;
    const consumer = this.kafka.consumer({
      groupId: options.group,
      sessionTimeout: tuning.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: heartbeatIntervalMs,
      maxWaitTimeInMs: tuning.maxWaitTimeMs ?? 500,
      ...(tuning.maxBytesPerPartition ? { maxBytesPerPartition: tuning.maxBytesPerPartition } : {}),
      ...(tuning.maxBytes ? { maxBytes: tuning.maxBytes } : {}),
      allowAutoTopicCreation: false,
    });
    const subscription = new KafkaSubscription(consumer, options, {
      logger: this.options.logger,
      heartbeatIntervalMs,
      partitionsConcurrently: tuning.partitionsConcurrently ?? 1,
      onStopped: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(subscription);
    try {
      await subscription.start(startAtEnd);
    } catch (error) {
      await subscription.stop();
      throw error;
    }
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.sending;
    await this.producer.disconnect();
    await this.admin.disconnect();
  }

  /** Creates missing topics, and adds partitions to those that have fewer than asked. */
  async ensureTopics(specs: KafkaTopicSpec[]): Promise<void> {
    if (specs.length === 0) return;
    await this.admin.createTopics({
      topics: specs.map((s) => ({ topic: s.name, numPartitions: s.partitions })),
      waitForLeaders: true,
    });
    const { topics } = await this.admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
    const grow = specs.filter(
      (s) => (topics.find((t) => t.name === s.name)?.partitions.length ?? 0) < s.partitions,
    );
    if (grow.length > 0)
      await this.admin.createPartitions({
        topicPartitions: grow.map((s) => ({ topic: s.name, count: s.partitions })),
      });
    for (const spec of specs) this.knownTopics.set(spec.name, Promise.resolve());
  }

  /** Topics met for the first time are created with the default partition count. */
  private ensureTopic(topic: string): Promise<void> {
    let known = this.knownTopics.get(topic);
    if (!known) {
      known = this.admin
        .createTopics({
          topics: [{ topic, numPartitions: this.options.defaultPartitions ?? 3 }],
          waitForLeaders: true,
        })
        .then(
          () => undefined,
          (error: unknown) => {
            this.knownTopics.delete(topic);
            throw new MessageLogError(`cannot create topic "${topic}"`, 'invalid-name', {
              cause: error,
            });
          },
        );
      this.knownTopics.set(topic, known);
    }
    return known;
  }

  /**
   * For `from: 'end'`: the end offsets of each topic the group has never committed on. They are
   * read before joining and applied by seeking on the first assignment (which commits them), so
   * what is published after consume() returns is never skipped, and a partition that stays quiet
   * still has a committed position for the next start.
   */
  private async endsForNewGroup(options: ConsumeOptions) {
    const ends = new Map<string, Map<number, string>>();
    const committed = await this.admin.fetchOffsets({
      groupId: options.group,
      topics: options.topics,
    });
    for (const { topic, partitions } of committed) {
      if (partitions.some((p) => p.offset !== '-1')) continue;
      const offsets = await this.admin.fetchTopicOffsets(topic);
      ends.set(topic, new Map(offsets.map((o) => [o.partition, o.high])));
    }
    return ends;
  }

  /**
   * kafkajs sends each sendBatch as its own request, and the idempotent producer takes them one at
   * a time per broker; publishes that arrive while a request is out are coalesced into the next
   * one, cut at `maxRequestBytes`.
   */
  private async sendQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const chunk = this.takeChunk();
      if (chunk.length === 0) continue;
      try {
        await this.send(chunk);
      } catch (error) {
        const failure = new MessageLogError('Kafka did not store the messages', 'publish-failed', {
          cause: error,
        });
        for (const { job } of chunk) {
          if (job.failed) continue;
          job.failed = true;
          job.reject(failure);
        }
      }
    }
  }

  private takeChunk() {
    const limit = this.options.maxRequestBytes ?? 900_000;
    let bytes = 0;
    let count = 0;
    for (const { job, index } of this.queue) {
      const size = approximateSize(job.messages[index]!);
      if (count > 0 && bytes + size > limit) break;
      bytes += size;
      count++;
    }
    // One splice per request: shifting message by message is quadratic on a long queue.
    return this.queue.splice(0, count).filter(({ job }) => !job.failed);
  }

  private async send(chunk: { job: PublishJob; index: number }[]): Promise<void> {
    const byTopic = new Map<string, { message: Message; job: PublishJob; index: number }[]>();
    for (const { job, index } of chunk) {
      const outgoing = job.messages[index]!;
      const message: Message = {
        key: outgoing.key,
        value: Buffer.from(outgoing.value.buffer, outgoing.value.byteOffset, outgoing.value.length),
        headers: outgoing.headers,
      };
      let list = byTopic.get(outgoing.topic);
      if (!list) byTopic.set(outgoing.topic, (list = []));
      list.push({ message, job, index });
    }
    const metadata = await this.producer.sendBatch({
      acks: -1,
      compression:
        this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((l) => l.message),
      })),
    });
    const base = new Map(
      metadata.map((m) => [`${m.topicName}#${m.partition}`, BigInt(m.baseOffset ?? '0')]),
    );
    for (const [topic, list] of byTopic) {
      // Within a partition, kafkajs keeps the messages in the order given.
      const position = new Map<number, bigint>();
      for (const { message, job, index } of list) {
        const partition = message.partition!;
        const nth = position.get(partition) ?? 0n;
        position.set(partition, nth + 1n);
        const offset = base.get(`${topic}#${partition}`)! + nth;
        job.results[index] = { duplicate: false, partition, offset: offset.toString() };
        if (--job.remaining === 0 && !job.failed) job.resolve(job.results);
      }
    }
  }
}

class KafkaSubscription implements Subscription {
  private readonly maxBatch: number;
  /** Per partition, the next delivery count of offsets this subscription delivered, handed back
   * unacked and has not passed since. Offsets not in it are delivered for the first time. */
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly options: ConsumeOptions,
    private readonly deps: {
      logger: Logger;
      heartbeatIntervalMs: number;
      partitionsConcurrently: number;
      onStopped: (s: KafkaSubscription) => void;
    },
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? defaultMaxBatch);
  }

  /** Resolves once this member has its first assignment, so it is part of the group. */
  async start(startAtEnd: Map<string, Map<number, string>>): Promise<void> {
    const { consumer } = this;
    let firstJoin = true;
    const joined = new Promise<void>((resolve, reject) => {
      // GROUP_JOIN is emitted synchronously before the first fetch, so a seek here takes effect
      // before anything is read.
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        const assigned = new Set<string>();
        for (const [topic, partitions] of Object.entries(payload.memberAssignment))
          for (const partition of partitions) {
            assigned.add(`${topic}#${partition}`);
            const end = startAtEnd.get(topic)?.get(partition);
            if (firstJoin && end !== undefined) consumer.seek({ topic, partition, offset: end });
          }
        for (const key of this.counts.keys()) if (!assigned.has(key)) this.counts.delete(key);
        firstJoin = false;
        resolve();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        this.deps.logger.error(
          { err: payload.error, group: payload.groupId, restart: payload.restart },
          'Kafka consumer crashed',
        );
        if (!payload.restart) reject(payload.error);
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.deps.partitionsConcurrently,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    await joined;
  }

  /** Waits for the batch in flight; kafkajs commits the resolved offsets and leaves the group. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      await this.consumer.disconnect();
      this.deps.onStopped(this);
    })();
    return this.stopping;
  }

  /**
   * Hands the batch over in chunks of maxBatch. Offsets are resolved only up to the last
   * contiguously acked message; at the first one not acked, the partition is sought back to it
   * and the rest of the batch is dropped, to be fetched again. The handler's errors never escape:
   * a throw out of eachBatch restarts the consumer, and has skipped messages on fresh groups.
   */
  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } =
      payload;
    const { topic, partition } = batch;
    const countsKey = `${topic}#${partition}`;
    let counts = this.counts.get(countsKey);
    if (!counts) this.counts.set(countsKey, (counts = new Map()));

    for (let start = 0; start < batch.messages.length; start += this.maxBatch) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(start, start + this.maxBatch);
      const tracked = new TrackedBatch(
        chunk,
        (message, index, batch) =>
          new KafkaDelivery(
            batch,
            index,
            topic,
            partition,
            message,
            counts.get(message.offset) ?? 1,
          ),
      );
      // Heartbeats come from the consumer loop, which waits for us: keep them going meanwhile.
      const beat = setInterval(() => {
        heartbeat().catch((error: unknown) =>
          this.deps.logger.debug({ err: error, topic, partition }, 'heartbeat during a batch'),
        );
      }, this.deps.heartbeatIntervalMs);
      try {
        await this.options.handle(tracked.deliveries);
      } catch (error) {
        this.deps.logger.warn(
          { err: error, group: this.options.group, topic, partition },
          'message handler failed; its unacked deliveries come again',
        );
      } finally {
        clearInterval(beat);
      }

      const { ackedPrefix, delayMs } = resumePoint(tracked.close());
      if (ackedPrefix > 0) resolveOffset(chunk[ackedPrefix - 1]!.offset);
      if (ackedPrefix < chunk.length) {
        const rewindTo = chunk[ackedPrefix]!.offset;
        for (const offset of counts.keys())
          if (BigInt(offset) < BigInt(rewindTo)) counts.delete(offset);
        for (const delivery of tracked.deliveries.slice(ackedPrefix))
          counts.set(delivery.offset, delivery.deliveryCount + 1);
        this.consumer.seek({ topic, partition, offset: rewindTo });
        if (delayMs > 0) this.pauseFor(payload, delayMs);
        await commitOffsetsIfNecessary();
        return;
      }
      counts.clear();
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  private pauseFor(payload: EachBatchPayload, delayMs: number): void {
    const resume = payload.pause();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      resume();
    }, delayMs);
    this.timers.add(timer);
  }
}

/**
 * A kafkajs message as a Delivery. Bulk consumers take tens of thousands per batch, so nothing
 * is copied or decoded up front: key, headers and timestamp are decoded when first read (ack and
 * nak come from SettlingDelivery, without closures per message).
 */
class KafkaDelivery extends SettlingDelivery implements Delivery {
  private decodedKey: string | null | undefined;
  private decodedHeaders: Record<string, string> | undefined;

  constructor(
    batch: Settles,
    index: number,
    readonly topic: string,
    readonly partition: number,
    private readonly message: KafkaMessage,
    readonly deliveryCount: number,
  ) {
    super(batch, index);
  }

  get offset(): string {
    return this.message.offset;
  }

  get value(): Uint8Array {
    return asBytes(this.message.value);
  }

  get key(): string | null {
    if (this.decodedKey === undefined)
      this.decodedKey = this.message.key ? this.message.key.toString('utf8') : null;
    return this.decodedKey;
  }

  get headers(): Record<string, string> {
    return (this.decodedHeaders ??= decodeHeaders(this.message.headers));
  }

  get timestamp(): Date {
    return new Date(Number(this.message.timestamp));
  }
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined) decoded[name] = value.toString();
  }
  return decoded;
}

function approximateSize(message: OutgoingMessage): number {
  let size = 70 + message.value.length + (message.key?.length ?? 0);
  for (const [name, value] of Object.entries(message.headers)) size += name.length + value.length;
  return size;
}
