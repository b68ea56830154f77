import type { createKafka } from '@platform/kit';
import type { Logger } from 'pino';
import type { ConsumerMetrics } from './consumer.metrics.js';

type KafkaAdmin = ReturnType<ReturnType<typeof createKafka>['admin']>;

/**
 * Consumer lag in messages, which the message log port does not expose: the group's committed
 * offset against each partition's high watermark, read with the Kafka admin client every
 * `intervalMs`. Returns a stop function.
 */
export function startConsumerLagProbe(deps: {
  admin: KafkaAdmin;
  group: string;
  topics: string[];
  metrics: ConsumerMetrics;
  logger: Logger;
  intervalMs?: number;
}): () => Promise<void> {
  const { admin, group, topics, metrics, logger } = deps;
  let connected: Promise<void> | undefined;
  const probe = async () => {
    connected ??= admin.connect();
    await connected;
    const committed = await admin.fetchOffsets({ groupId: group, topics });
    for (const { topic, partitions } of committed) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const end of ends) {
        const offset = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        const from = offset === '-1' ? BigInt(end.low) : BigInt(offset);
        const lag = BigInt(end.high) - from;
        metrics.consumerLag.set(
          { topic, partition: String(end.partition) },
          Number(lag > 0n ? lag : 0n),
        );
      }
    }
  };
  const timer = setInterval(() => {
    probe().catch((error: unknown) => logger.debug({ err: error }, 'consumer lag probe failed'));
  }, deps.intervalMs ?? 15_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    if (connected) await connected.then(() => admin.disconnect()).catch(() => undefined);
  };
}
