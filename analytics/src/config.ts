import { env, localDefaults } from '@platform/kit';
import { z } from 'zod';

export const analyticsConfigSchema = z.object({
  PORT: env.port(8082),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  KAFKA_BROKERS: env.list([...localDefaults.kafkaBrokers]),
  CLICKHOUSE_URL: env.url(localDefaults.clickhouseUrl),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().regex(/^\w+$/).default('platform'),
});
export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;
