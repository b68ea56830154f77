import { env, localDefaults } from '@platform/kit';
import { z } from 'zod';
import { defaultMappingsFile } from './mappings/mapping.config.js';

export const bridgeConfigSchema = z.object({
  PORT: env.port(8081),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  NATS_URL: env.url(localDefaults.natsUrl),
  KAFKA_BROKERS: env.list([...localDefaults.kafkaBrokers]),
  /** The YAML mappings file (format: bridge/README.md); default: the one in the repo. */
  BRIDGE_MAPPINGS_FILE: z.string().min(1).default(defaultMappingsFile),
  /** How long a graceful stop lets sends in flight finish before leaving them to the next run. */
  BRIDGE_DRAIN_TIMEOUT_MS: env.positiveInt(10_000),
  /** JetStream redelivers a message not acked within this long (the bridge keeps the ones it
   * holds alive), so this bounds how soon a crashed bridge's messages move on. */
  BRIDGE_NATS_ACK_WAIT_MS: env.positiveInt(30_000),
  /** A Kafka group member silent this long is dropped and its partitions move on; a restarted
   * bridge waits up to this long for its predecessor's partitions after a crash. */
  BRIDGE_KAFKA_SESSION_TIMEOUT_MS: env.positiveInt(30_000),
});
export type BridgeConfig = z.infer<typeof bridgeConfigSchema>;
