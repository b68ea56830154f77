import type { BridgeSettings, KafkaToNatsMapping } from '../mappings/mapping.config.js';
import type { Route } from '../pipe/forward.plan.js';

/**
 * Kafka -> NATS: a consumer group per mapping, published to JetStream with
 * `Nats-Msg-Id = topic:partition:offset`, so a resend after a crash (the offset was not committed
 * yet) is dropped by the stream inside its duplicate window. Offsets are committed only up to the
 * last message whose PubAck came back (the Kafka adapter resolves contiguous acks only).
 */
export function kafkaToNatsRoute(mapping: KafkaToNatsMapping, settings: BridgeSettings): Route {
  return {
    name: mapping.name,
    direction: 'kafka-to-nats',
    sourceSide: 'kafka',
    targetSide: 'nats',
    sources: mapping.topics,
    target: mapping.subject,
    deadLetter: mapping.deadLetter ?? `${mapping.subject}.dlq`,
    key: mapping.key,
    validate: mapping.validate,
    group: mapping.group ?? `${settings.name}-${mapping.name}`,
    from: mapping.from,
    // Kafka keeps order per partition and the group gives each partition to one member, so
    // members can send in parallel without reordering a key.
    members: mapping.concurrency,
    forwardId: (delivery) => `${delivery.topic}:${delivery.partition}:${delivery.offset}`,
  };
}
