import { createServiceContext, loadConfig } from '@platform/kit';
import { startAnalyticsService } from '../analytics.service.js';
import { analyticsConfigSchema } from '../config.js';

/**
 * The production wiring (`startAnalyticsService`) on topics and a group of a test's own, as a
 * separate process the crash test can kill -9 and the benchmark can measure. Configured like
 * main.ts, plus TEST_GROUP and TEST_TOPIC_PREFIX (`<prefix>.interactions`, `<prefix>.domain`).
 */
const config = loadConfig(analyticsConfigSchema);
const ctx = createServiceContext('analytics-test', config.LOG_LEVEL);
const prefix = process.env.TEST_TOPIC_PREFIX;
if (!prefix || !process.env.TEST_GROUP)
  throw new Error('TEST_TOPIC_PREFIX and TEST_GROUP are required');
await startAnalyticsService(config, ctx, {
  group: process.env.TEST_GROUP,
  topics: { interactions: `${prefix}.interactions`, domain: `${prefix}.domain` },
});
process.stdout.write('ready\n');
