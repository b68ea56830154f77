import {
  connectNats,
  createKafka,
  createServiceContext,
  loadConfig,
  startOpsServer,
} from '@platform/kit';
import { createKafkaLog, createNatsLog } from '@platform/kit/messaging';
import { routesOf, startBridge } from './bridge.service.js';
import { bridgeConfigSchema } from './config.js';
import { kafkaLag } from './kafka-to-nats/kafka.lag.js';
import {
  loadMappingsFile,
  MappingConfigError,
  type MappingsFile,
} from './mappings/mapping.config.js';
import { natsLag, rewindToAckFloor } from './nats-to-kafka/jetstream.consumers.js';

/** Composition root of the NATS <-> Kafka bridge (`npm run start:bridge`). */
const config = loadConfig(bridgeConfigSchema);
const ctx = createServiceContext('bridge', config.LOG_LEVEL);

let mappings: MappingsFile;
try {
  mappings = loadMappingsFile(config.BRIDGE_MAPPINGS_FILE);
} catch (error) {
  if (!(error instanceof MappingConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(78); // EX_CONFIG, as for a bad environment variable
}

// Connections of their own for readiness and lag, so a probe never waits behind the traffic.
const nats = await connectNats(config.NATS_URL, 'bridge-probe');
ctx.shutdown.add('nats probe', () => nats.drain());
const admin = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: 'bridge-probe',
  logger: ctx.logger,
}).admin();
await admin.connect();
ctx.shutdown.add('kafka probe', () => admin.disconnect());

let consuming = false;
await startOpsServer(ctx, {
  port: config.PORT,
  host: config.HOST,
  readiness: [
    { name: 'nats', check: () => nats.flush() },
    { name: 'kafka', check: () => admin.describeCluster() },
    {
      name: 'mappings',
      check: async () => {
        if (!consuming) throw new Error('the mappings are not consuming yet');
      },
    },
  ],
});

const natsLog = await createNatsLog({
  url: config.NATS_URL,
  name: 'bridge',
  streams: mappings.nats.streams,
  logger: ctx.logger,
  // The bound on what a mapping holds unacked: the server stops delivering past it.
  maxAckPending: mappings.settings.window,
  ackWaitMs: config.BRIDGE_NATS_ACK_WAIT_MS,
});
const kafkaLog = await createKafkaLog({
  brokers: config.KAFKA_BROKERS,
  clientId: 'bridge',
  logger: ctx.logger,
  consumer: { sessionTimeoutMs: config.BRIDGE_KAFKA_SESSION_TIMEOUT_MS },
});
// Shutdown runs last-registered first: the bridge drains, then the logs close.
ctx.shutdown.add('message logs', async () => {
  await natsLog.close();
  await kafkaLog.close();
});

for (const route of routesOf(mappings)) await rewindToAckFloor(nats, route, { logger: ctx.logger });

const natsLagOf = natsLag(nats);
const kafkaLagOf = kafkaLag(admin);
const bridge = await startBridge({
  nats: natsLog,
  kafka: kafkaLog,
  mappings,
  logger: ctx.logger,
  metrics: ctx.metrics,
  lag: (route) => (route.sourceSide === 'nats' ? natsLagOf(route) : kafkaLagOf(route)),
  drainTimeoutMs: config.BRIDGE_DRAIN_TIMEOUT_MS,
});
consuming = true;
ctx.shutdown.add('bridge', () => bridge.stop());
ctx.logger.info(
  { mappings: bridge.routes.map((r) => `${r.name}: ${r.sources.join(',')} -> ${r.target}`) },
  'bridge running',
);
