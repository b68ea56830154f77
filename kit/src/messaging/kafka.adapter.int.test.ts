import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka } from '../clients/clients.js';
import { localDefaults } from '../config/config.js';
import { createKafkaLog } from './kafka.adapter.js';
import type { Delivery, PublishResult } from './message-log.port.js';

const brokers = process.env.KAFKA_BROKERS?.split(',') ?? [...localDefaults.kafkaBrokers];
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array) => Buffer.from(value).toString('utf8');

describe('Kafka message log', () => {
  const run = randomBytes(4).toString('hex');
  const admin = createKafka({ brokers, clientId: `kafka-adapter-${run}`, logger }).admin();
  const created: string[] = [];
  const topic = (suffix: string) => {
    const name = `kafka-adapter-${run}-${suffix}`;
    created.push(name);
    return name;
  };

  afterAll(async () => {
    await admin.connect();
    await admin.deleteTopics({ topics: created });
    await admin.disconnect();
  });

  it('creates configured topics and grows their partitions', async () => {
    const name = topic('grown');
    const partitions = async () => {
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
      return topics[0]!.partitions.length;
    };
    const first = await createKafkaLog({
      brokers,
      clientId: run,
      logger,
      topics: [{ name, partitions: 2 }],
    });
    await first.close();
    expect(await partitions()).toBe(2);
    const second = await createKafkaLog({
      brokers,
      clientId: run,
      logger,
      topics: [{ name, partitions: 4 }],
    });
    await second.close();
    expect(await partitions()).toBe(4);
  });

  it('coalesces concurrent publishes into bounded requests and reports each offset', async () => {
    const t = topic('coalesced');
    const log = await createKafkaLog({ brokers, clientId: run, logger, maxRequestBytes: 4_000 });
    const calls = Array.from({ length: 20 }, (_, call) =>
      Array.from({ length: 25 }, (_, i) => ({
        topic: t,
        key: i % 5 === 0 ? null : `k${(call + i) % 7}`,
        value: bytes(`c${call}-m${i}`),
        headers: { call: String(call) },
      })),
    );
    const results = (await Promise.all(calls.map((messages) => log.publish(messages)))).flat();
    const sent = calls.flat();

    const byPartition = new Map<number, number[]>();
    for (const r of results)
      byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), Number(r.offset)]);
    for (const offsets of byPartition.values())
      expect(offsets.sort((a, b) => a - b)).toEqual(offsets.map((_, i) => i));

    const received: Delivery[] = [];
    const subscription = await log.consume({
      group: `coalesced-${run}`,
      topics: [t],
      handle: async (batch) => {
        for (const d of batch) {
          received.push(d);
          d.ack();
        }
      },
    });
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(sent.length);
    const where = (r: Pick<PublishResult, 'partition' | 'offset'>) => `${r.partition}@${r.offset}`;
    const expected = new Map(results.map((r, i) => [where(r), text(sent[i]!.value)]));
    for (const d of received) expect(text(d.value)).toBe(expected.get(where(d)));
    await subscription.stop();
    await log.close();
  });

  it('commits the offset after the last contiguously acked message', async () => {
    const t = topic('commit');
    const group = `commit-${run}`;
    const log = await createKafkaLog({
      brokers,
      clientId: run,
      logger,
      topics: [{ name: t, partitions: 1 }],
    });
    await log.publish(
      Array.from({ length: 5 }, (_, i) => ({
        topic: t,
        key: 'k',
        value: bytes(`m${i}`),
        headers: {},
      })),
    );
    let acked = 0;
    const subscription = await log.consume({
      group,
      topics: [t],
      handle: async (batch) => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        // Acks m0..m2 in order; m3 and m4 are left and keep coming back.
        for (const d of batch)
          if (acked < 3 && d.offset === String(acked)) {
            d.ack();
            acked++;
          }
      },
    });
    await expect.poll(() => acked, { timeout: 15_000 }).toBe(3);
    await subscription.stop();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [t] });
    expect(committed!.partitions).toMatchObject([{ partition: 0, offset: '3' }]);
    await log.close();
  });
});
