import { CronExpressionParser } from 'cron-parser';
import { env, localDefaults } from '@platform/kit';
import { z } from 'zod';

/** A cron pattern (5 or 6 fields), checked by parsing it. */
export const cronSchema = (fallback: string) =>
  z
    .string()
    .refine((v) => {
      try {
        CronExpressionParser.parse(v);
        return true;
      } catch {
        return false;
      }
    }, 'must be a cron pattern such as "0 * * * *"')
    .default(fallback);

export const mlConfigSchema = z.object({
  PORT: env.port(8084),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  DATABASE_URL: env.url(localDefaults.databaseUrl),
  REDIS_URL: env.url(localDefaults.redisUrl),
  KAFKA_BROKERS: env.list([...localDefaults.kafkaBrokers]),
  CLICKHOUSE_URL: env.url(localDefaults.clickhouseUrl),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().regex(/^\w+$/).default('platform'),
  /** When the scheduled retraining runs (BullMQ job scheduler; default hourly). */
  ML_TRAIN_CRON: cronSchema('0 * * * *'),
  /** Train once at start when no model is live yet. */
  ML_TRAIN_ON_START: env.boolean(true),
  /** A candidate is promoted unless its nDCG@10 is below the live model's by more than this. */
  ML_PROMOTION_MARGIN: z.coerce.number().min(0).max(1).default(0.01),
  ML_FACTORS: env.positiveInt(64),
  ML_ITERATIONS: env.positiveInt(15),
});
export type MlConfig = z.infer<typeof mlConfigSchema>;
