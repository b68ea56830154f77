import { env, localDefaults } from '@platform/kit';
import { z } from 'zod';

export const mlConfigSchema = z.object({
  PORT: env.port(8084),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  DATABASE_URL: env.url(localDefaults.databaseUrl),
  REDIS_URL: env.url(localDefaults.redisUrl),
  KAFKA_BROKERS: env.list([...localDefaults.kafkaBrokers]),
  CLICKHOUSE_URL: env.url(localDefaults.clickhouseUrl),
});
export type MlConfig = z.infer<typeof mlConfigSchema>;
