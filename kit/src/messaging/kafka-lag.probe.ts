import type { Kafka } from 'kafkajs';
import type { Gauge } from 'prom-client';
import type { Logger } from 'pino';

type KafkaAdmin = ReturnType<Kafka['admin']>;

/**
 * A consumer group's lag per partition of `topics`: the high watermark minus the group's
 * committed offset (the log start when it has none), never below 0.
 */
export async function kafkaGroupLag(
  admin: KafkaAdmin,
  group: string,
  topics: string[],
): Promise<{ topic: string; partition: number; lag: number }[]> {
  const committed = await admin.fetchOffsets({ groupId: group, topics });
  const lags: { topic: string; partition: number; lag: number }[] = [];
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const end of ends) {
      const offset = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      const from = offset === '-1' ? BigInt(end.low) : BigInt(offset);
      const behind = BigInt(end.high) - from;
      lags.push({ topic, partition: end.partition, lag: Number(behind > 0n ? behind : 0n) });
    }
  }
  return lags;
}

/**
 * Consumer lag in messages, which the message log port does not expose, read with the Kafka
 * admin client every `intervalMs` into `gauge` (labels `topic`, `partition`: bounded by the
 * topics' partitions). Each consumer process names its own gauge
 * (`analytics_consumer_lag_messages`, `search_indexer_consumer_lag_messages`); Prometheus's
 * `job` label tells the groups apart. Returns a stop function.
 */
export function startKafkaLagProbe(deps: {
  admin: KafkaAdmin;
  group: string;
  topics: string[];
  gauge: Gauge<'topic' | 'partition'>;
  logger: Logger;
  intervalMs?: number;
}): () => Promise<void> {
  const { admin, group, topics, gauge, logger } = deps;
  let connected: Promise<void> | undefined;
  const probe = async () => {
    connected ??= admin.connect();
    await connected;
    for (const { topic, partition, lag } of await kafkaGroupLag(admin, group, topics)) {
      gauge.set({ topic, partition: String(partition) }, lag);
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
