import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { connectNats, createKafka } from '../clients/clients.js';
import { localDefaults } from '../config/config.js';
import { createKafkaLog } from './kafka.adapter.js';
import { describeMessageLogContract } from './message-log.contract.js';
import { createNatsLog } from './nats.adapter.js';

const natsUrl = process.env.NATS_URL ?? localDefaults.natsUrl;
const kafkaBrokers = process.env.KAFKA_BROKERS?.split(',') ?? [...localDefaults.kafkaBrokers];
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

describeMessageLogContract('NATS JetStream', async () => {
  const run = randomBytes(4).toString('hex');
  const stream = `CONTRACT_${run}`;
  const log = await createNatsLog({
    url: natsUrl,
    name: `contract-${run}`,
    streams: [{ name: stream, subjects: [`contract.${run}.>`] }],
    logger,
  });
  return {
    log,
    topic: (suffix) => `contract.${run}.${suffix}`,
    cleanup: async () => {
      const nc = await connectNats(natsUrl, `contract-cleanup-${run}`);
      await (await nc.jetstreamManager()).streams.delete(stream);
      await nc.close();
    },
  };
});

describeMessageLogContract('Kafka', async () => {
  const run = randomBytes(4).toString('hex');
  const log = await createKafkaLog({ brokers: kafkaBrokers, clientId: `contract-${run}`, logger });
  const used = new Set<string>();
  return {
    log,
    topic: (suffix) => {
      const name = `contract-${run}-${suffix}`;
      used.add(name);
      return name;
    },
    cleanup: async () => {
      const admin = createKafka({
        brokers: kafkaBrokers,
        clientId: `cleanup-${run}`,
        logger,
      }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [...used] });
      await admin.disconnect();
    },
  };
});
