import type { Delivery } from './message-log.port.js';

/** What the handler decided for one delivery. `pending`: neither acked nor nak'ed. */
export type Outcome = { kind: 'pending' } | { kind: 'ack' } | { kind: 'nak'; delayMs: number };

/** An ack or a nak. */
type Settled = Exclude<Outcome, { kind: 'pending' }>;

export type DeliveryFields = Omit<Delivery, 'ack' | 'nak'>;

/** Where a delivery records its ack or nak: the batch it was handed over in. */
export interface Settles {
  settle(index: number, outcome: Settled): void;
}

/** Makes the delivery of `item`, the `index`th of `batch`. */
export type DeliveryFactory<T> = (item: T, index: number, batch: Settles) => Delivery;

const pending: Outcome = Object.freeze({ kind: 'pending' });
const acked: Settled = Object.freeze({ kind: 'ack' });

/**
 * One batch handed to a handler: the deliveries, and what became of each once the handler has
 * settled. The first ack or nak of a delivery wins and later calls are ignored, as are calls
 * after `close()`, because by then the adapter has decided what to commit or redeliver.
 */
export class TrackedBatch<T> implements Settles {
  readonly deliveries: Delivery[];
  private readonly outcomes: Outcome[];
  private closed = false;

  constructor(
    readonly items: readonly T[],
    /** A `SettlingDelivery` over the item: `withFields` for one built from copied fields. */
    toDelivery: DeliveryFactory<T>,
    /** Called once per delivery at its first ack or nak (the NATS adapter acks at once). */
    private readonly onSettle?: (item: T, outcome: Settled) => void,
  ) {
    this.outcomes = new Array<Outcome>(items.length).fill(pending);
    this.deliveries = new Array<Delivery>(items.length);
    for (let i = 0; i < items.length; i++) this.deliveries[i] = toDelivery(items[i]!, i, this);
  }

  /** The items neither acked nor nak'ed so far. */
  pendingItems(): T[] {
    return this.items.filter((_, i) => this.outcomes[i] === pending);
  }

  /** Freezes the outcomes: later acks and naks are ignored. */
  close(): readonly Outcome[] {
    this.closed = true;
    return this.outcomes;
  }

  settle(index: number, outcome: Settled): void {
    if (this.closed || this.outcomes[index] !== pending) return;
    this.outcomes[index] = outcome;
    this.onSettle?.(this.items[index]!, outcome);
  }
}

/**
 * A delivery whose ack and nak live on the prototype and record the outcome in its batch:
 * batches of thousands are handed over many times a second, and a closure pair per delivery was
 * a visible share of the garbage. Adapters extend it with the message's fields.
 */
export abstract class SettlingDelivery {
  readonly #batch: Settles;
  readonly #index: number;

  constructor(batch: Settles, index: number) {
    this.#batch = batch;
    this.#index = index;
  }

  ack(): void {
    this.#batch.settle(this.#index, acked);
  }

  nak(delayMs = 0): void {
    this.#batch.settle(this.#index, { kind: 'nak', delayMs: Math.max(0, delayMs) });
  }
}

/** A delivery of fields copied up front. */
class TrackedDelivery extends SettlingDelivery implements Delivery {
  readonly topic: string;
  readonly key: string | null;
  readonly value: Uint8Array;
  readonly headers: Record<string, string>;
  declare readonly id?: string;
  readonly partition: number;
  readonly offset: string;
  readonly deliveryCount: number;
  readonly timestamp: Date;

  constructor(fields: DeliveryFields, batch: Settles, index: number) {
    super(batch, index);
    this.topic = fields.topic;
    this.key = fields.key;
    this.value = fields.value;
    this.headers = fields.headers;
    if (fields.id !== undefined) (this as { id?: string }).id = fields.id;
    this.partition = fields.partition;
    this.offset = fields.offset;
    this.deliveryCount = fields.deliveryCount;
    this.timestamp = fields.timestamp;
  }
}

/** Deliveries made of the fields `toFields` copies out of each item. */
export const withFields =
  <T>(toFields: (item: T) => DeliveryFields): DeliveryFactory<T> =>
  (item, index, batch) =>
    new TrackedDelivery(toFields(item), batch, index);

/**
 * Where a partition-ordered log (Kafka, memory) resumes after a batch: at the first delivery not
 * acked, or past the batch when every one was. The partition waits for the longest nak delay asked
 * at or after that point, since everything from there on comes again.
 */
export function resumePoint(outcomes: readonly Outcome[]): {
  /** How many deliveries from the start of the batch are acked with no gap. */
  ackedPrefix: number;
  delayMs: number;
} {
  const first = outcomes.findIndex((o) => o.kind !== 'ack');
  if (first === -1) return { ackedPrefix: outcomes.length, delayMs: 0 };
  let delayMs = 0;
  for (const outcome of outcomes.slice(first))
    if (outcome.kind === 'nak') delayMs = Math.max(delayMs, outcome.delayMs);
  return { ackedPrefix: first, delayMs };
}

/** A plain Uint8Array view of a Buffer or array, so values compare the same from every adapter. */
export function asBytes(value: Uint8Array | null | undefined): Uint8Array {
  if (!value) return new Uint8Array(0);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}
