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
  /** `clickhouse`: the server at CLICKHOUSE_URL; `chdb`: ClickHouse in-process, data in
   * ANALYTICS_CHDB_PATH. */
  ANALYTICS_STORE: z.enum(['clickhouse', 'chdb']).default('clickhouse'),
  ANALYTICS_CHDB_PATH: z.string().min(1).default('./data/chdb'),
  /** Most messages per batch, and so per INSERT. About what one 8 MiB fetch of a partition
   * holds: ClickHouse 18.16 spends 20-30 ms on every INSERT whatever its size. */
  ANALYTICS_MAX_BATCH: env.positiveInt(30_000),
  /** Watermark = highest event time seen in a partition minus this. */
  ANALYTICS_WATERMARK_DELAY_MS: env.positiveInt(10_000),
  /** How long after its end a window still takes late events. */
  ANALYTICS_ALLOWED_LATENESS_MS: env.positiveInt(3_600_000),
  /** A consumer that stops heartbeating this long leaves the group and its partitions move on. */
  ANALYTICS_KAFKA_SESSION_TIMEOUT_MS: env.positiveInt(30_000),
  /** A partition silent this long stops holding the watermark back. */
  ANALYTICS_IDLE_TIMEOUT_MS: env.positiveInt(30_000),
});
export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;
