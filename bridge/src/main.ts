import {
  connectNats,
  createKafka,
  createServiceContext,
  kafkaReady,
  loadConfig,
  startOpsServer,
} from '@platform/kit';
import { bridgeConfigSchema } from './config.js';

/** Composition root of the NATS <-> Kafka bridge (`npm run start:bridge`). */
const config = loadConfig(bridgeConfigSchema);
const ctx = createServiceContext('bridge', config.LOG_LEVEL);

const nats = await connectNats(config.NATS_URL, 'bridge');
ctx.shutdown.add('nats', () => nats.drain());
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: 'bridge',
  logger: ctx.logger,
});

await startOpsServer(ctx, {
  port: config.PORT,
  host: config.HOST,
  readiness: [
    { name: 'nats', check: () => nats.flush() },
    { name: 'kafka', check: () => kafkaReady(kafka) },
  ],
});
