import { expandInteractions, interactionMessageSchema } from '@platform/contracts';
import type { Delivery, MessageLog, Subscription } from '@platform/kit/messaging';
import type { LoggedMessage } from '../consumer/offline.recompute.js';
import type { GeneratedMessage } from './stream.generator.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes messages in chunks, in order, and returns each partition's end offset
 * (`topic:partition` -> last offset + 1). */
export async function publishAll(
  log: MessageLog,
  messages: readonly GeneratedMessage[],
  chunk = 1_000,
): Promise<Map<string, bigint>> {
  const ends = new Map<string, bigint>();
  for (let i = 0; i < messages.length; i += chunk) {
    const slice = messages.slice(i, i + chunk);
    const results = await log.publish(slice.map((m) => ({ ...m })));
    results.forEach((r, j) => {
      const key = `${slice[j]!.topic}:${r.partition}`;
      const next = BigInt(r.offset) + 1n;
      if ((ends.get(key) ?? 0n) < next) ends.set(key, next);
    });
  }
  return ends;
}

/** Every message of `topics` as a new group reads it, with its partition and offset. */
export async function readAll(
  log: MessageLog,
  topics: string[],
  ends: Map<string, bigint>,
  group = `reader-${Math.random().toString(36).slice(2)}`,
): Promise<(LoggedMessage & { key: string | null; headers: Record<string, string> })[]> {
  const out: (LoggedMessage & { key: string | null; headers: Record<string, string> })[] = [];
  const tracker = new OffsetTracker();
  const sub = await log.consume({
    group,
    topics,
    maxBatch: 5_000,
    handle: async (batch) => {
      for (const d of batch) {
        out.push({
          topic: d.topic,
          partition: d.partition,
          offset: d.offset,
          value: d.value,
          key: d.key,
          headers: d.headers,
        });
        d.ack();
      }
      tracker.record(batch);
    },
  });
  await tracker.waitFor(ends);
  await sub.stop();
  return out;
}

/** Follows how far a group has handled each partition, to wait for it to catch up. */
export class OffsetTracker {
  readonly handled = new Map<string, bigint>();

  record(batch: Delivery[]): void {
    for (const d of batch) {
      const key = `${d.topic}:${d.partition}`;
      const next = BigInt(d.offset) + 1n;
      if ((this.handled.get(key) ?? 0n) < next) this.handled.set(key, next);
    }
  }

  caughtUp(ends: Map<string, bigint>): boolean {
    return [...ends].every(([key, end]) => (this.handled.get(key) ?? 0n) >= end);
  }

  async waitFor(ends: Map<string, bigint>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.caughtUp(ends)) {
      if (Date.now() > deadline) {
        throw new Error(
          `not caught up: ${JSON.stringify([...ends].map(([k, e]) => [k, String(this.handled.get(k) ?? 0n), String(e)]))}`,
        );
      }
      await sleep(10);
    }
  }
}

/** Subscribes `handle` to `topics` with a tracker of what it finished (shared by successive
 * members of a group, so it knows what the group as a whole has done). */
export async function consumeTracked(
  log: MessageLog,
  options: { group: string; topics: string[]; maxBatch: number },
  handle: (batch: Delivery[]) => Promise<void>,
  tracker = new OffsetTracker(),
): Promise<{ subscription: Subscription; tracker: OffsetTracker }> {
  const subscription = await log.consume({
    ...options,
    handle: async (batch) => {
      await handle(batch);
      tracker.record(batch);
    },
  });
  return { subscription, tracker };
}

/** Every message of `topics` (when their end is unknown): reads until nothing new for `idleMs`. */
export async function readUntilIdle(
  log: MessageLog,
  topics: string[],
  idleMs = 300,
): Promise<(LoggedMessage & { key: string | null; headers: Record<string, string> })[]> {
  const out: (LoggedMessage & { key: string | null; headers: Record<string, string> })[] = [];
  let last = Date.now();
  const sub = await log.consume({
    group: `reader-${Math.random().toString(36).slice(2)}`,
    topics,
    maxBatch: 5_000,
    handle: async (batch) => {
      for (const d of batch) {
        out.push({
          topic: d.topic,
          partition: d.partition,
          offset: d.offset,
          value: d.value,
          key: d.key,
          headers: d.headers,
        });
        d.ack();
      }
      last = Date.now();
    },
  });
  while (Date.now() - last < idleMs) await sleep(20);
  await sub.stop();
  return out;
}

/** The ids of the interactions that dead letters with a reason starting `reason` stand for (a
 * list's dead letter stands for all its impressions). */
export function deadLetteredIds(
  dead: readonly { value: Uint8Array; headers: Record<string, string> }[],
  reason: string,
): Set<string> {
  return new Set(
    dead
      .filter((m) => m.headers['dlq-reason']?.startsWith(reason))
      .flatMap((m) =>
        expandInteractions(
          interactionMessageSchema.parse(JSON.parse(Buffer.from(m.value).toString())),
        ).map((i) => i.id),
      ),
  );
}
