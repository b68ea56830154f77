import type { createKafka } from '@platform/kit';
import type { Route } from '../pipe/forward.plan.js';

type KafkaAdmin = ReturnType<ReturnType<typeof createKafka>['admin']>;

/**
 * Lag of a Kafka-sourced mapping: per partition, the high watermark minus the group's committed
 * offset (the log start when it has none), summed.
 */
export function kafkaLag(admin: KafkaAdmin) {
  return async (route: Route): Promise<number | undefined> => {
    if (route.sourceSide !== 'kafka') return undefined;
    const committed = await admin.fetchOffsets({ groupId: route.group, topics: route.sources });
    let lag = 0;
    for (const { topic, partitions } of committed) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const end of ends) {
        const offset = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        const from = offset === '-1' ? BigInt(end.low) : BigInt(offset);
        const behind = BigInt(end.high) - from;
        if (behind > 0n) lag += Number(behind);
      }
    }
    return lag;
  };
}
