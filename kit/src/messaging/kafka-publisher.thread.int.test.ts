import { randomBytes } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka } from '../clients/clients.js';
import { localDefaults } from '../config/config.js';
import { createKafkaLog } from './kafka.adapter.js';
import { KafkaPublisherThread } from './kafka-publisher.thread.js';
import { MessageLogError, type Delivery, type OutgoingMessage } from './message-log.port.js';

const brokers = process.env.KAFKA_BROKERS?.split(',') ?? [...localDefaults.kafkaBrokers];
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const text = (value: Uint8Array) => Buffer.from(value).toString('utf8');

describe('Kafka publisher on a worker thread', () => {
  const run = randomBytes(4).toString('hex');
  const created: string[] = [];
  const topic = (suffix: string) => {
    const name = `kafka-thread-${run}-${suffix}`;
    created.push(name);
    return name;
  };
  const start = (topics: string[]) =>
    KafkaPublisherThread.start({
      brokers,
      clientId: `thread-${run}`,
      logger,
      service: 'test',
      topics: topics.map((name) => ({ name, partitions: 3 })),
    });
  const messages = (t: string, batch: number, count: number): OutgoingMessage[] =>
    Array.from({ length: count }, (_, i) => ({
      topic: t,
      key: `person-${(batch * count + i) % 7}`,
      // Values of different lengths, so each one's bounds in the shared buffer matter.
      value: Buffer.from(JSON.stringify({ batch, i, pad: 'x'.repeat(i % 5) })),
      headers: { origin: 'test', 'message-type': `m.${batch}` },
    }));

  afterAll(async () => {
    const admin = createKafka({ brokers, clientId: `cleanup-${run}`, logger }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: created });
    await admin.disconnect();
  });

  it('stores what it is given, where the in-thread log would, and reports each offset', async () => {
    const t = topic('stored');
    const publisher = await start([t]);
    const log = await createKafkaLog({ brokers, clientId: `log-${run}`, logger });
    try {
      const batches = Array.from({ length: 4 }, (_, b) => messages(t, b, 6));
      const results = await Promise.all(batches.map((batch) => publisher.publish(batch)));
      // The same keys through this thread's producer: the same partitions.
      const direct = await log.publish(messages(t, 9, 6));

      const seen: Delivery[] = [];
      const subscription = await log.consume({
        group: `reader-${run}`,
        topics: [t],
        handle: async (batch) => {
          for (const d of batch) {
            seen.push(d);
            d.ack();
          }
        },
      });
      await expect.poll(() => seen.length, { timeout: 15_000 }).toBe(30);
      await subscription.stop();

      const at = (partition: number, offset: string) =>
        seen.find((d) => d.partition === partition && d.offset === offset)!;
      batches.forEach((batch, b) =>
        batch.forEach((sent, i) => {
          const { partition, offset } = results[b]![i]!;
          const got = at(partition, offset);
          expect(got.key).toBe(sent.key);
          expect(text(got.value)).toBe(text(sent.value));
          expect(got.headers).toMatchObject(sent.headers);
        }),
      );
      const partitionOf = new Map(
        results.flat().map((r, i) => [batches.flat()[i]!.key, r.partition]),
      );
      messages(t, 9, 6).forEach((m, i) =>
        expect(direct[i]!.partition).toBe(partitionOf.get(m.key)),
      );
    } finally {
      await log.close();
      await publisher.close();
    }
  });

  it('fails what a dead thread had not confirmed, then starts a new thread', async () => {
    const t = topic('restarted');
    const publisher = await start([t]);
    try {
      const worker = await (publisher as unknown as { worker: Promise<Worker> }).worker;
      const lost = publisher.publish(messages(t, 0, 3));
      // Let the request reach the thread, then stop it before Kafka can answer.
      await new Promise((r) => setImmediate(r));
      await worker.terminate();
      const error = await lost.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessageLogError);
      expect((error as MessageLogError).code).toBe('publish-failed');

      const results = await publisher.publish(messages(t, 1, 3));
      expect(results).toHaveLength(3);
      expect(results.every((r) => Number(r.offset) >= 0)).toBe(true);
    } finally {
      await publisher.close();
    }
  });

  it('fails to start when its producer cannot, and refuses publishes once closed', async () => {
    const failed = await KafkaPublisherThread.start({
      brokers,
      clientId: `invalid-${run}`,
      logger,
      service: 'test',
      topics: [{ name: 'no spaces allowed here', partitions: 1 }],
    }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(MessageLogError);
    expect((failed as MessageLogError).message).toMatch(/did not start/);

    const t = topic('closed');
    const publisher = await start([t]);
    await publisher.close();
    await expect(publisher.publish(messages(t, 0, 1))).rejects.toMatchObject({ code: 'closed' });
  });
});
