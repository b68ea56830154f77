import type { createKafka } from '@platform/kit';
import { kafkaGroupLag } from '@platform/kit/messaging';
import type { Route } from '../pipe/forward.plan.js';

type KafkaAdmin = ReturnType<ReturnType<typeof createKafka>['admin']>;

/** Lag of a Kafka-sourced mapping: its group's lag summed over the partitions of its sources. */
export function kafkaLag(admin: KafkaAdmin) {
  return async (route: Route): Promise<number | undefined> => {
    if (route.sourceSide !== 'kafka') return undefined;
    const lags = await kafkaGroupLag(admin, route.group, route.sources);
    return lags.reduce((sum, p) => sum + p.lag, 0);
  };
}
