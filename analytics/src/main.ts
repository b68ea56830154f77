import { createServiceContext, kafkaReady, loadConfig, startOpsServer } from '@platform/kit';
import { startAnalyticsService } from './analytics.service.js';
import { analyticsConfigSchema } from './config.js';

/** Composition root of the analytics stream processor (`npm run start:analytics`). */
const config = loadConfig(analyticsConfigSchema);
const ctx = createServiceContext('analytics', config.LOG_LEVEL);
const { store, kafka } = await startAnalyticsService(config, ctx);

await startOpsServer(ctx, {
  port: config.PORT,
  host: config.HOST,
  readiness: [
    { name: 'clickhouse', check: async () => void (await store.query('SELECT 1 AS ok')) },
    { name: 'kafka', check: () => kafkaReady(kafka) },
  ],
});
