import { newId } from '@platform/kit';
import type { Delivery, MessageLog, Subscription } from '@platform/kit/messaging';

export const bytes = (text: string) => new TextEncoder().encode(text);
export const text = (value: Uint8Array) => Buffer.from(value).toString('utf8');
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Collector {
  received: Delivery[];
  values(): string[];
  /** Received values grouped by key, each in arrival order. */
  byKey(): Map<string | null, string[]>;
  subscription: Subscription;
}

/** Consumes topics with a group of its own, acks everything and records each delivery. */
export async function collect(
  log: MessageLog,
  topics: string[],
  group = `collector-${newId()}`,
): Promise<Collector> {
  const received: Delivery[] = [];
  const subscription = await log.consume({
    group,
    topics,
    maxBatch: 1_000,
    handle: async (batch) => {
      for (const delivery of batch) {
        received.push(delivery);
        delivery.ack();
      }
    },
  });
  return {
    received,
    values: () => received.map((d) => text(d.value)),
    byKey: () => {
      const keys = new Map<string | null, string[]>();
      for (const d of received) {
        let list = keys.get(d.key);
        if (!list) keys.set(d.key, (list = []));
        list.push(text(d.value));
      }
      return keys;
    },
    subscription,
  };
}

/** A valid `registration.confirmed` domain message for an event, as the outbox writes it. */
export function registrationConfirmed(eventId: string, revision: number) {
  return {
    id: newId(),
    type: 'registration.confirmed',
    version: 1,
    occurredAt: new Date().toISOString(),
    aggregateId: eventId,
    data: {
      registrationId: newId(),
      eventId,
      userId: newId(),
      status: 'confirmed',
      position: null,
      capacity: 100,
      confirmedCount: revision,
      waitlistCount: 0,
      eventRevision: revision,
    },
  };
}
