import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { Gauge, Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka } from '../clients/clients.js';
import { localDefaults } from '../config/config.js';
import { createKafkaLog } from './kafka.adapter.js';
import { startKafkaLagProbe } from './kafka-lag.probe.js';

const brokers = process.env.KAFKA_BROKERS?.split(',') ?? [...localDefaults.kafkaBrokers];
const logger = pino({ level: 'silent' });

describe('Kafka consumer lag probe', () => {
  const run = randomBytes(4).toString('hex');
  const topic = `lag-probe-${run}`;
  const kafka = createKafka({ brokers, clientId: `lag-probe-${run}`, logger });
  const admin = kafka.admin();

  afterAll(async () => {
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it('reports per partition what the group has not committed, and follows its commits', async () => {
    const log = await createKafkaLog({
      brokers,
      clientId: run,
      logger,
      topics: [{ name: topic, partitions: 2 }],
    });
    await log.publish(
      Array.from({ length: 10 }, (_, i) => ({
        topic,
        key: `k${i}`,
        value: new TextEncoder().encode(String(i)),
        headers: {},
      })),
    );
    const gauge = new Gauge({
      name: 'probe_lag_messages',
      help: 'test',
      labelNames: ['topic', 'partition'] as const,
      registers: [new Registry()],
    });
    const lagSum = async () => (await gauge.get()).values.reduce((sum, v) => sum + v.value, 0);
    const group = `lag-probe-${run}`;
    const stop = startKafkaLagProbe({
      admin: kafka.admin(),
      group,
      topics: [topic],
      gauge,
      logger,
      intervalMs: 100,
    });
    try {
      // Nothing committed yet: the whole topic is behind, on both partitions.
      await expect.poll(lagSum, { timeout: 15_000 }).toBe(10);
      expect((await gauge.get()).values.map((v) => v.labels.partition).sort()).toEqual(['0', '1']);
      let handled = 0;
      const sub = await log.consume({
        group,
        topics: [topic],
        handle: async (batch) => {
          for (const d of batch) d.ack();
          handled += batch.length;
        },
      });
      await expect.poll(() => handled, { timeout: 30_000 }).toBe(10);
      await sub.stop();
      await expect.poll(lagSum, { timeout: 15_000 }).toBe(0);
    } finally {
      await stop();
      await log.close();
    }
  });
});
