import { deadLetterTopic } from '@platform/contracts';
import type { BridgeSettings, NatsToKafkaMapping } from '../mappings/mapping.config.js';
import type { Route } from '../pipe/forward.plan.js';

/**
 * NATS -> Kafka: one durable JetStream consumer per mapping (a single member, so the stream's
 * order is the order sent to Kafka), published through Kafka's idempotent producer with acks from
 * all in-sync replicas; the JetStream message is acked only after that.
 */
export function natsToKafkaRoute(mapping: NatsToKafkaMapping, settings: BridgeSettings): Route {
  return {
    name: mapping.name,
    direction: 'nats-to-kafka',
    sourceSide: 'nats',
    targetSide: 'kafka',
    sources: mapping.subjects,
    target: mapping.topic,
    deadLetter: mapping.deadLetter ?? deadLetterTopic(mapping.topic),
    key: mapping.key,
    validate: mapping.validate,
    group: mapping.group ?? `${settings.name}-${mapping.name}`,
    from: mapping.from,
    // Several members of one durable consumer would each get some of the stream and could send
    // a key's messages out of order: JetStream does not split a stream by key.
    members: 1,
    // Kafka ignores the id; an embedded (in-memory) Kafka side drops a resend by it.
    forwardId: (delivery) => delivery.id,
  };
}
