import { env, localDefaults } from '@platform/kit';
import { z } from 'zod';

export const bridgeConfigSchema = z.object({
  PORT: env.port(8081),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  NATS_URL: env.url(localDefaults.natsUrl),
  KAFKA_BROKERS: env.list([...localDefaults.kafkaBrokers]),
});
export type BridgeConfig = z.infer<typeof bridgeConfigSchema>;
