/**
 * The message log port: publish and consume with explicit acknowledgement. Three adapters
 * implement it and pass one contract suite (`message-log.contract.ts`): NATS JetStream
 * (`nats`), Kafka (`kafkajs`) and an in-memory log for embedded mode with the same subjects,
 * topics and ack semantics.
 *
 * Words: on NATS a `topic` is a subject (wildcards `*` and `>` in consumer filters); on Kafka it
 * is a topic. Delivery is at least once everywhere: consumers must tolerate a message twice.
 */
export interface LogMessage {
  /** Kafka topic, or NATS subject. */
  topic: string;
  /** Ordering key: Kafka's message key (same key, same partition, in order). On NATS it travels
   * in the `key` header, and the stream keeps one order for everything. */
  key: string | null;
  value: Uint8Array;
  headers: Record<string, string>;
}

export interface OutgoingMessage extends LogMessage {
  /** Deduplication id. JetStream drops a second publish with the same id inside the stream's
   * duplicate window (`Nats-Msg-Id`); the in-memory log does the same; Kafka's idempotent
   * producer instead dedups its own retries, and ignores this. */
  id?: string;
}

export interface PublishResult {
  /** True when the log already had a message with this id (NATS, memory). */
  duplicate: boolean;
  partition: number;
  /** Kafka offset or JetStream stream sequence, as a decimal string. */
  offset: string;
}

export interface Delivery extends LogMessage {
  /** The deduplication id it was published with (NATS `Nats-Msg-Id`, memory); Kafka keeps none. */
  id?: string;
  /** Kafka partition; 0 on NATS. */
  partition: number;
  /** Kafka offset or JetStream stream sequence, as a decimal string. */
  offset: string;
  /** 1 on the first delivery, higher on redeliveries. JetStream counts on the server; Kafka keeps
   * no count, so its adapter counts the redeliveries it made itself (a restart starts at 1). */
  deliveryCount: number;
  /** When the log stored the message. */
  timestamp: Date;
  /** Done with it: the group will not get it again. The first of ack/nak wins; either is ignored
   * once the handler's promise has settled. */
  ack(): void;
  /** Not done: deliver it again (after `delayMs`). */
  nak(delayMs?: number): void;
}

export interface ConsumeOptions {
  /** Consumer group: a Kafka group id, a JetStream durable consumer. Members share the work. */
  group: string;
  /** Kafka topics, or NATS subject filters. */
  topics: string[];
  /**
   * Gets batches in log order (per partition). Each delivery must be acked or nak'ed; one left
   * neither when the handler resolves, or in a batch whose handler throws, is delivered again
   * (on Kafka and in memory by rewinding its partition to it, so later ones may come again too).
   */
  handle: (batch: Delivery[]) => Promise<void>;
  /** Most deliveries per batch; default 100. */
  maxBatch?: number;
  /** A new group starts at the beginning of the log (default) or at its end. */
  from?: 'beginning' | 'end';
}

export interface Subscription {
  /** Stops fetching, waits for the handler in flight, commits what was acked. Awaiting it from
   * inside the handler would wait for itself. */
  stop(): Promise<void>;
}

/** The publishing half of a message log (what an ingest needs). */
export interface MessagePublisher {
  /** Resolves when the log has stored every message (JetStream PubAck; Kafka acks=all). */
  publish(messages: OutgoingMessage[]): Promise<PublishResult[]>;
  close(): Promise<void>;
}

export interface MessageLog extends MessagePublisher {
  readonly kind: 'nats' | 'kafka' | 'memory';
  /** Whether a second publish with the same `id` inside the duplicate window is dropped (NATS,
   * memory: true) or stored again (Kafka: false). */
  readonly dedupById: boolean;
  /** Resolves once the subscriber is part of its group (Kafka: after its first assignment), so a
   * message published after that reaches a new group started `from: 'end'`. */
  consume(options: ConsumeOptions): Promise<Subscription>;
}

export type MessageLogErrorCode =
  /** No JetStream stream captures the subject. */
  | 'no-stream'
  /** The log did not store a message (no PubAck, Kafka produce error). */
  | 'publish-failed'
  /** A durable consumer or group exists with settings that cannot be changed in place. */
  | 'consumer-conflict'
  /** A name the log cannot use (group, topic). */
  | 'invalid-name'
  /** The log or subscription was closed. */
  | 'closed';

/** A message log failure with a code, the same shape from every adapter. */
export class MessageLogError extends Error {
  constructor(
    message: string,
    readonly code: MessageLogErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MessageLogError';
  }
}

/** Default of `ConsumeOptions.maxBatch`. */
export const defaultMaxBatch = 100;
