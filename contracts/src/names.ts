/** Kafka topics and NATS subjects: the only place their names are spelled. */
export const topics = {
  domain: 'platform.domain.v1',
  interactions: 'interactions.v1',
  models: 'ml.models.v1',
} as const;
export type Topic = (typeof topics)[keyof typeof topics];

/** Dead letters for a topic live on `<topic>.dlq`. */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

/**
 * JetStream streams, with the limits every process that declares them uses (core-api and the
 * bridge's default mappings): the first to start creates a stream, and a process with other
 * limits would update it back and forth. Messages are kept 7 days, Kafka's default retention:
 * the bridge forwards them to Kafka, and live updates read only new ones.
 */
export const streams = {
  /** JetStream stream holding every domain message. */
  platform: {
    name: 'PLATFORM',
    subjects: ['platform.>'],
    duplicateWindowMs: 120_000,
    maxAgeMs: 7 * 86_400_000,
  },
  /** JetStream stream of ML announcements (`ml.model.promoted`, from Kafka via the bridge). */
  ml: { name: 'ML', subjects: ['ml.>'], duplicateWindowMs: 120_000, maxAgeMs: 7 * 86_400_000 },
} as const;

/** A stream of `streams` as a mutable spec (the NATS adapter's `NatsStreamSpec`). */
export const streamSpec = (stream: (typeof streams)[keyof typeof streams]) => ({
  ...stream,
  subjects: [...stream.subjects],
});

export const subjects = {
  eventCreated: 'platform.event.created',
  eventUpdated: 'platform.event.updated',
  eventPublished: 'platform.event.published',
  eventCancelled: 'platform.event.cancelled',
  registrationConfirmed: 'platform.registration.confirmed',
  registrationWaitlisted: 'platform.registration.waitlisted',
  registrationCancelled: 'platform.registration.cancelled',
  registrationPromoted: 'platform.registration.promoted',
  modelPromoted: 'ml.model.promoted',
} as const;
export type Subject = (typeof subjects)[keyof typeof subjects];

/** Headers every message carries. */
export const headers = {
  traceparent: 'traceparent',
  /** Which system first produced the message; the bridge uses it to stop echo loops. */
  origin: 'origin',
  messageType: 'message-type',
} as const;
