import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery, MessageLog, OutgoingMessage, Subscription } from './message-log.port.js';

export interface ContractTarget {
  log: MessageLog;
  /** A topic (Kafka) or subject (NATS, memory) unique to this run, for one test. */
  topic: (suffix: string) => string;
  /** Removes what the run created on a real server (streams, topics). */
  cleanup?: () => Promise<void>;
}

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);
const text = (value: Uint8Array) => Buffer.from(value).toString('utf8');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const poll = { timeout: 15_000, interval: 20 };

/**
 * The message log port's contract, written once and run over every adapter: memory in `npm test`,
 * NATS JetStream and Kafka in `npm run test:integration`. Each test uses its own topic and consumer
 * groups named after a random run id, so reruns against a server never collide.
 */
export function describeMessageLogContract(adapter: string, open: () => Promise<ContractTarget>) {
  describe(`message log contract: ${adapter}`, () => {
    const run = randomBytes(4).toString('hex');
    let log: MessageLog;
    let topic: ContractTarget['topic'];
    let cleanup: ContractTarget['cleanup'];
    const subscriptions: Subscription[] = [];
    const group = (name: string) => `contract-${run}-${name}`;

    const message = (
      t: string,
      value: string,
      key: string | null = 'k',
      extra: Partial<OutgoingMessage> = {},
    ): OutgoingMessage => ({ topic: t, key, value: bytes(value), headers: {}, ...extra });

    /** Subscribes, acks everything, and records each delivery. */
    async function collect(
      options: { group: string; topics: string[]; maxBatch?: number; from?: 'beginning' | 'end' },
      delayMs = 0,
    ) {
      const received: Delivery[] = [];
      const batches: number[] = [];
      const subscription = await log.consume({
        ...options,
        handle: async (batch) => {
          batches.push(batch.length);
          if (delayMs) await sleep(delayMs);
          for (const delivery of batch) {
            received.push(delivery);
            delivery.ack();
          }
        },
      });
      subscriptions.push(subscription);
      return { received, batches, values: () => received.map((d) => text(d.value)), subscription };
    }

    beforeAll(async () => {
      ({ log, topic, cleanup } = await open());
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
    });

    afterAll(async () => {
      await log?.close();
      await cleanup?.();
    });

    it('delivers messages in publish order per key, at the partition and offset publish reported', async () => {
      const t = topic('order');
      const sent = Array.from({ length: 30 }, (_, i) => message(t, `k${i % 3}:${i}`, `k${i % 3}`));
      const results = await log.publish(sent);
      expect(results).toHaveLength(30);
      for (const key of ['k0', 'k1', 'k2']) {
        const partitions = results.filter((_, i) => sent[i]!.key === key).map((r) => r.partition);
        expect(new Set(partitions).size).toBe(1);
      }

      const { received, values } = await collect({ group: group('order'), topics: [t] });
      await expect.poll(() => received.length, poll).toBe(30);
      for (const key of ['k0', 'k1', 'k2'])
        expect(values().filter((v) => v.startsWith(`${key}:`))).toEqual(
          sent.filter((m) => m.key === key).map((m) => text(m.value)),
        );
      for (const delivery of received) {
        const index = Number(text(delivery.value).split(':')[1]);
        expect(delivery.topic).toBe(t);
        expect(delivery.partition).toBe(results[index]!.partition);
        expect(delivery.offset).toBe(results[index]!.offset);
        expect(delivery.deliveryCount).toBe(1);
        expect(results[index]!.duplicate).toBe(false);
      }
    });

    it('round-trips keys, headers and binary values', async () => {
      const t = topic('roundtrip');
      const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
      const headers = {
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        origin: 'nats',
        'message-type': 'registration.confirmed',
        'x-unicode': 'café ✓',
      };
      const before = Date.now();
      await log.publish([
        { topic: t, key: 'user-42', value: binary, headers },
        { topic: t, key: null, value: new Uint8Array([0, 255, 0]), headers: {} },
      ]);
      const { received } = await collect({ group: group('roundtrip'), topics: [t] });
      await expect.poll(() => received.length, poll).toBe(2);

      const keyed = received.find((d) => d.key === 'user-42')!;
      expect(Buffer.from(keyed.value).equals(Buffer.from(binary))).toBe(true);
      expect(keyed.headers).toEqual(headers);
      expect(keyed.timestamp).toBeInstanceOf(Date);
      expect(Math.abs(keyed.timestamp.getTime() - before)).toBeLessThan(60_000);

      const unkeyed = received.find((d) => d.key === null)!;
      expect([...unkeyed.value]).toEqual([0, 255, 0]);
      expect(unkeyed.headers).toEqual({});
    });

    it('delivers again a message left neither acked nor nak’ed, with a growing delivery count', async () => {
      const t = topic('unacked');
      await log.publish(['u0', 'u1', 'u2'].map((v) => message(t, v)));
      const seen: { value: string; count: number }[] = [];
      const acked = new Set<string>();
      subscriptions.push(
        await log.consume({
          group: group('unacked'),
          topics: [t],
          handle: async (batch) => {
            for (const d of batch) {
              const value = text(d.value);
              seen.push({ value, count: d.deliveryCount });
              if (value === 'u1' && d.deliveryCount === 1) continue;
              d.ack();
              acked.add(value);
            }
          },
        }),
      );
      await expect.poll(() => acked.size, poll).toBe(3);
      expect(seen.filter((s) => s.value === 'u0')).toEqual([{ value: 'u0', count: 1 }]);
      expect(seen.filter((s) => s.value === 'u1').map((s) => s.count)).toEqual([1, 2]);
    });

    it('delivers a nak’ed message again after the delay it asked for', async () => {
      const t = topic('nak');
      await log.publish([message(t, 'later')]);
      const deliveries: { at: number; count: number }[] = [];
      subscriptions.push(
        await log.consume({
          group: group('nak'),
          topics: [t],
          handle: async (batch) => {
            for (const d of batch) {
              deliveries.push({ at: Date.now(), count: d.deliveryCount });
              if (d.deliveryCount === 1) d.nak(400);
              else d.ack();
            }
          },
        }),
      );
      await expect.poll(() => deliveries.length, poll).toBe(2);
      expect(deliveries.map((d) => d.count)).toEqual([1, 2]);
      expect(deliveries[1]!.at - deliveries[0]!.at).toBeGreaterThanOrEqual(350);
    });

    it('delivers again every unacked message of a batch whose handler throws, on a fresh group', async () => {
      const t = topic('throws');
      const sent = ['e0', 'e1', 'e2', 'e3', 'e4'];
      await log.publish(sent.map((v) => message(t, v)));
      let firstBatch: string[] | undefined;
      const seen: { value: string; count: number }[] = [];
      const acked = new Set<string>();
      subscriptions.push(
        await log.consume({
          group: group('throws'),
          topics: [t],
          handle: async (batch) => {
            for (const d of batch) seen.push({ value: text(d.value), count: d.deliveryCount });
            if (!firstBatch) {
              firstBatch = batch.map((d) => text(d.value));
              batch[0]!.ack();
              acked.add(firstBatch[0]!);
              throw new Error('handler failed on purpose');
            }
            for (const d of batch) {
              d.ack();
              acked.add(text(d.value));
            }
          },
        }),
      );
      // Nothing is skipped: every message is acked in the end.
      await expect.poll(() => [...acked].sort(), poll).toEqual(sent);
      const [ackedFirst, ...failed] = firstBatch!;
      expect(seen.filter((s) => s.value === ackedFirst)).toHaveLength(1);
      for (const value of failed)
        expect(Math.max(...seen.filter((s) => s.value === value).map((s) => s.count))).toBe(2);
    });

    it('shares the work among the members of a group, and gives another group everything', async () => {
      const t = topic('shared');
      const shared = group('shared');
      const a = await collect({ group: shared, topics: [t], maxBatch: 5 }, 5);
      const b = await collect({ group: shared, topics: [t], maxBatch: 5 }, 5);
      const other = await collect({ group: group('other'), topics: [t] });
      const sent = Array.from({ length: 60 }, (_, i) => message(t, `s${i}`, `key-${i % 24}`));
      await log.publish(sent);

      await expect.poll(() => a.received.length + b.received.length, poll).toBe(60);
      await expect.poll(() => other.received.length, poll).toBe(60);
      await sleep(200);
      const all = [...a.values(), ...b.values()];
      expect(all).toHaveLength(60);
      expect(new Set(all).size).toBe(60);
      expect(a.received.length).toBeGreaterThan(0);
      expect(b.received.length).toBeGreaterThan(0);
      expect(new Set(other.values()).size).toBe(60);
    });

    it('starts a new group at the end when asked, and an existing group where it left off', async () => {
      const t = topic('from-end');
      const g = group('from-end');
      await log.publish(['old0', 'old1', 'old2'].map((v) => message(t, v)));
      const first = await collect({ group: g, topics: [t], from: 'end' });
      await log.publish(['new0', 'new1', 'new2'].map((v) => message(t, v)));
      await expect.poll(() => first.received.length, poll).toBe(3);
      await sleep(200);
      expect(first.values()).toEqual(['new0', 'new1', 'new2']);
      await first.subscription.stop();

      await log.publish(['later0', 'later1'].map((v) => message(t, v)));
      const second = await collect({ group: g, topics: [t], from: 'end' });
      await expect.poll(() => second.received.length, poll).toBe(2);
      await sleep(200);
      expect(second.values()).toEqual(['later0', 'later1']);
    });

    it('resumes a group after its last acked message when a new subscription starts', async () => {
      const t = topic('resume');
      const g = group('resume');
      const sent = Array.from({ length: 10 }, (_, i) => `r${i}`);
      await log.publish(sent.map((v) => message(t, v)));
      const acked: string[] = [];
      const first = await log.consume({
        group: g,
        topics: [t],
        handle: async (batch) => {
          await sleep(10);
          for (const d of batch) {
            // Ack the first six in order and leave the rest: they keep coming back.
            if (acked.length < 6 && text(d.value) === sent[acked.length]) {
              d.ack();
              acked.push(text(d.value));
            }
          }
        },
      });
      await expect.poll(() => acked.length, poll).toBe(6);
      await first.stop();

      const second = await collect({ group: g, topics: [t] });
      await expect.poll(() => new Set(second.values()).size, poll).toBe(4);
      await sleep(200);
      expect(new Set(second.values())).toEqual(new Set(sent.slice(6)));
    });

    it('waits in stop() for the handler in flight and keeps what it acked', async () => {
      const t = topic('stop');
      const g = group('stop');
      const sent = ['s0', 's1', 's2'];
      await log.publish(sent.map((v) => message(t, v)));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let firstBatch: string[] | undefined;
      let finished = false;
      const first = await log.consume({
        group: g,
        topics: [t],
        handle: async (batch) => {
          firstBatch ??= batch.map((d) => text(d.value));
          await gate;
          for (const d of batch) d.ack();
          finished = true;
        },
      });
      await expect.poll(() => firstBatch, poll).toBeDefined();
      let stopped = false;
      const stopping = first.stop().then(() => (stopped = true));
      await sleep(150);
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(finished).toBe(true);

      const second = await collect({ group: g, topics: [t] });
      const rest = sent.filter((v) => !firstBatch!.includes(v));
      await expect.poll(() => new Set(second.values()).size, poll).toBe(rest.length);
      await sleep(200);
      expect(new Set(second.values())).toEqual(new Set(rest));
    });

    it('consumes several topics in one subscription', async () => {
      const ta = topic('multi-a');
      const tb = topic('multi-b');
      await log.publish([message(ta, 'a0'), message(tb, 'b0'), message(ta, 'a1')]);
      const { received } = await collect({ group: group('multi'), topics: [ta, tb] });
      await expect.poll(() => received.length, poll).toBe(3);
      expect(received.filter((d) => d.topic === ta).map((d) => text(d.value))).toEqual([
        'a0',
        'a1',
      ]);
      expect(received.filter((d) => d.topic === tb).map((d) => text(d.value))).toEqual(['b0']);
    });

    it('hands the handler no more than maxBatch deliveries at once', async () => {
      const t = topic('max-batch');
      await log.publish(Array.from({ length: 10 }, (_, i) => message(t, `m${i}`)));
      const { received, batches } = await collect({
        group: group('max-batch'),
        topics: [t],
        maxBatch: 3,
      });
      await expect.poll(() => received.length, poll).toBe(10);
      expect(Math.max(...batches)).toBeLessThanOrEqual(3);
    });

    it('drops a second publish with the same id where the log dedups, and stores it where not', async () => {
      const t = topic('dedup');
      const id = `dup-${run}`;
      const first = await log.publish([
        message(t, 'first', 'k', { id }),
        message(t, 'second', 'k', { id }),
      ]);
      const again = await log.publish([message(t, 'third', 'k', { id })]);
      const results = [...first, ...again];
      const { received, values } = await collect({ group: group('dedup'), topics: [t] });

      if (log.dedupById) {
        // NATS (Nats-Msg-Id inside the stream's duplicate window) and memory.
        expect(results.map((r) => r.duplicate)).toEqual([false, true, true]);
        expect(new Set(results.map((r) => r.offset)).size).toBe(1);
        await expect.poll(() => received.length, poll).toBe(1);
        await sleep(300);
        expect(values()).toEqual(['first']);
        expect(received[0]!.id).toBe(id);
      } else {
        // Kafka: the idempotent producer dedups its own retries only, so all three are stored.
        expect(results.map((r) => r.duplicate)).toEqual([false, false, false]);
        expect(new Set(results.map((r) => r.offset)).size).toBe(3);
        await expect.poll(() => received.length, poll).toBe(3);
        expect(values()).toEqual(['first', 'second', 'third']);
      }
    });
  });
}
