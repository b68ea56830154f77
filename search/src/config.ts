import { env, localDefaults } from '@platform/kit';
import { z } from 'zod';

export const searchConfigSchema = z.object({
  PORT: env.port(8083),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  KAFKA_BROKERS: env.list([...localDefaults.kafkaBrokers]),
  ELASTICSEARCH_URL: env.url(localDefaults.elasticsearchUrl),
});
export type SearchConfig = z.infer<typeof searchConfigSchema>;
