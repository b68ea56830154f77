/** Kafka topics and NATS subjects: the only place their names are spelled. */
export const topics = {
  domain: 'platform.domain.v1',
  interactions: 'interactions.v1',
  models: 'ml.models.v1',
} as const;
export type Topic = (typeof topics)[keyof typeof topics];

/** Dead letters for a topic live on `<topic>.dlq`. */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

export const streams = {
  /** JetStream stream holding every domain message. */
  platform: { name: 'PLATFORM', subjects: ['platform.>'] },
  /** JetStream stream of ML announcements (`ml.model.promoted`, from Kafka via the bridge). */
  ml: { name: 'ML', subjects: ['ml.>'] },
} as const;

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
