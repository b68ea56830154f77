import type { Delivery } from './message-log.port.js';

/** What the handler decided for one delivery. `pending`: neither acked nor nak'ed. */
export type Outcome = { kind: 'pending' } | { kind: 'ack' } | { kind: 'nak'; delayMs: number };

export type DeliveryFields = Omit<Delivery, 'ack' | 'nak'>;

/**
 * One batch handed to a handler: the deliveries, and what became of each once the handler has
 * settled. The first ack or nak of a delivery wins and later calls are ignored, as are calls
 * after `close()`, because by then the adapter has decided what to commit or redeliver.
 */
export class TrackedBatch<T> {
  readonly deliveries: Delivery[];
  private readonly outcomes: Outcome[];
  private closed = false;

  constructor(
    readonly items: readonly T[],
    toFields: (item: T) => DeliveryFields,
    /** Called once per delivery at its first ack or nak (the NATS adapter acks at once). */
    onSettle?: (item: T, outcome: Exclude<Outcome, { kind: 'pending' }>) => void,
  ) {
    this.outcomes = items.map(() => ({ kind: 'pending' }));
    this.deliveries = items.map((item, index) => {
      const settle = (outcome: Exclude<Outcome, { kind: 'pending' }>) => {
        if (this.closed || this.outcomes[index]!.kind !== 'pending') return;
        this.outcomes[index] = outcome;
        onSettle?.(item, outcome);
      };
      return {
        ...toFields(item),
        ack: () => settle({ kind: 'ack' }),
        nak: (delayMs = 0) => settle({ kind: 'nak', delayMs: Math.max(0, delayMs) }),
      };
    });
  }

  /** The items neither acked nor nak'ed so far. */
  pendingItems(): T[] {
    return this.items.filter((_, i) => this.outcomes[i]!.kind === 'pending');
  }

  /** Freezes the outcomes: later acks and naks are ignored. */
  close(): readonly Outcome[] {
    this.closed = true;
    return this.outcomes;
  }
}

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
