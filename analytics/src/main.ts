import { createClient } from '@clickhouse/client';
import {
  createKafka,
  createServiceContext,
  kafkaReady,
  loadConfig,
  startOpsServer,
} from '@platform/kit';
import { analyticsConfigSchema } from './config.js';

/** Composition root of the analytics stream processor (`npm run start:analytics`). */
const config = loadConfig(analyticsConfigSchema);
const ctx = createServiceContext('analytics', config.LOG_LEVEL);

const clickhouse = createClient({
  url: config.CLICKHOUSE_URL,
  username: config.CLICKHOUSE_USER,
  password: config.CLICKHOUSE_PASSWORD,
});
ctx.shutdown.add('clickhouse', () => clickhouse.close());
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: 'analytics',
  logger: ctx.logger,
});

await startOpsServer(ctx, {
  port: config.PORT,
  host: config.HOST,
  readiness: [
    {
      name: 'clickhouse',
      check: async () => {
        const ping = await clickhouse.ping();
        if (!ping.success) throw ping.error;
      },
    },
    { name: 'kafka', check: () => kafkaReady(kafka) },
  ],
});
