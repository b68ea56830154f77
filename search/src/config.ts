import { env, localDefaults } from '@platform/kit';
import { z } from 'zod';

export const searchConfigSchema = z.object({
  PORT: env.port(8083),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  KAFKA_BROKERS: env.list([...localDefaults.kafkaBrokers]),
  ELASTICSEARCH_URL: env.url(localDefaults.elasticsearchUrl),
  /** The reindex reads events from here. */
  DATABASE_URL: env.url(localDefaults.databaseUrl),
  /** Read alias of the events index; versions are `<alias>-v<timestamp>`, writes go to `<alias>-write`. */
  SEARCH_INDEX_ALIAS: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,100}$/, 'lower-case letters, digits, - and _')
    .default('events'),
  /** Replicas per index version; 0 on a single node. */
  SEARCH_INDEX_REPLICAS: z.coerce.number().int().min(0).max(5).default(0),
});
export type SearchConfig = z.infer<typeof searchConfigSchema>;
