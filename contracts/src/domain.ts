import { z } from 'zod';
import { envelopeSchema, isoDateTime, text, uuidv7 } from './envelope.js';
import { subjects } from './names.js';

export const eventStatus = z.enum(['draft', 'published', 'cancelled']);
export type EventStatus = z.infer<typeof eventStatus>;

export const venueSchema = z.strictObject({
  name: text(1, 200),
  city: text(1, 100),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});
export type Venue = z.infer<typeof venueSchema>;

/** The event as domain messages carry it: a full snapshot, so consumers never need the database. */
export const eventSnapshotSchema = z.object({
  id: uuidv7,
  organizerId: uuidv7,
  title: z.string(),
  description: z.string(),
  category: z.string(),
  tags: z.array(z.string()),
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  venue: venueSchema,
  capacity: z.number().int().nonnegative(),
  confirmedCount: z.number().int().nonnegative(),
  waitlistCount: z.number().int().nonnegative(),
  status: eventStatus,
  /** Monotonic per event: consumers keep the highest and ignore older replays. */
  revision: z.number().int().positive(),
  publishedAt: isoDateTime.nullable(),
});
export type EventSnapshot = z.infer<typeof eventSnapshotSchema>;

/** The columns of an `events` row (PostgreSQL, snake_case) that make its snapshot. */
export interface EventSnapshotRow {
  id: string;
  organizer_id: string;
  title: string;
  description: string;
  category: string;
  tags: string[];
  starts_at: Date;
  ends_at: Date;
  venue_name: string;
  city: string;
  lat: number;
  lon: number;
  capacity: number;
  confirmed_count: number;
  waitlist_count: number;
  status: EventStatus;
  revision: number;
  published_at: Date | null;
}

/** The snapshot of an `events` row: one mapping for core-api (outbox, API) and the search
 * reindex, which both read the table. */
export const eventSnapshotFromRow = (row: EventSnapshotRow): EventSnapshot => ({
  id: row.id,
  organizerId: row.organizer_id,
  title: row.title,
  description: row.description,
  category: row.category,
  tags: row.tags,
  startsAt: row.starts_at.toISOString(),
  endsAt: row.ends_at.toISOString(),
  venue: { name: row.venue_name, city: row.city, lat: row.lat, lon: row.lon },
  capacity: row.capacity,
  confirmedCount: row.confirmed_count,
  waitlistCount: row.waitlist_count,
  status: row.status,
  revision: row.revision,
  publishedAt: row.published_at?.toISOString() ?? null,
});

export const registrationStatus = z.enum(['confirmed', 'waitlisted', 'cancelled']);
export type RegistrationStatus = z.infer<typeof registrationStatus>;

/** A registration change together with the event's counts right after it. */
export const registrationChangeSchema = z.object({
  registrationId: uuidv7,
  eventId: uuidv7,
  userId: uuidv7,
  status: registrationStatus,
  /** Waitlist position, present while waitlisted. */
  position: z.number().int().positive().nullable(),
  capacity: z.number().int().nonnegative(),
  confirmedCount: z.number().int().nonnegative(),
  waitlistCount: z.number().int().nonnegative(),
  /** The event's revision after this change (counts are part of the event). */
  eventRevision: z.number().int().positive(),
});
export type RegistrationChange = z.infer<typeof registrationChangeSchema>;

export const modelPromotedSchema = z.object({
  modelId: z.string().min(1),
  version: z.number().int().positive(),
  algorithm: z.string(),
  metrics: z.record(z.string(), z.number()),
  promotedAt: isoDateTime,
});
export type ModelPromoted = z.infer<typeof modelPromotedSchema>;

/** Message type -> subject. The type is the subject without its leading namespace. */
export const domainMessages = {
  'event.created': { subject: subjects.eventCreated, data: eventSnapshotSchema },
  'event.updated': { subject: subjects.eventUpdated, data: eventSnapshotSchema },
  'event.published': { subject: subjects.eventPublished, data: eventSnapshotSchema },
  'event.cancelled': { subject: subjects.eventCancelled, data: eventSnapshotSchema },
  'registration.confirmed': {
    subject: subjects.registrationConfirmed,
    data: registrationChangeSchema,
  },
  'registration.waitlisted': {
    subject: subjects.registrationWaitlisted,
    data: registrationChangeSchema,
  },
  'registration.cancelled': {
    subject: subjects.registrationCancelled,
    data: registrationChangeSchema,
  },
  'registration.promoted': {
    subject: subjects.registrationPromoted,
    data: registrationChangeSchema,
  },
  'model.promoted': { subject: subjects.modelPromoted, data: modelPromotedSchema },
} as const;
export type DomainMessageType = keyof typeof domainMessages;

export const eventCreatedMessage = envelopeSchema('event.created', eventSnapshotSchema);
export const eventUpdatedMessage = envelopeSchema('event.updated', eventSnapshotSchema);
export const eventPublishedMessage = envelopeSchema('event.published', eventSnapshotSchema);
export const eventCancelledMessage = envelopeSchema('event.cancelled', eventSnapshotSchema);
export const registrationConfirmedMessage = envelopeSchema(
  'registration.confirmed',
  registrationChangeSchema,
);
export const registrationWaitlistedMessage = envelopeSchema(
  'registration.waitlisted',
  registrationChangeSchema,
);
export const registrationCancelledMessage = envelopeSchema(
  'registration.cancelled',
  registrationChangeSchema,
);
export const registrationPromotedMessage = envelopeSchema(
  'registration.promoted',
  registrationChangeSchema,
);
export const modelPromotedMessage = envelopeSchema('model.promoted', modelPromotedSchema);

export const domainMessageSchema = z.discriminatedUnion('type', [
  eventCreatedMessage,
  eventUpdatedMessage,
  eventPublishedMessage,
  eventCancelledMessage,
  registrationConfirmedMessage,
  registrationWaitlistedMessage,
  registrationCancelledMessage,
  registrationPromotedMessage,
  modelPromotedMessage,
]);
export type DomainMessage = z.infer<typeof domainMessageSchema>;
export type DomainMessageOf<T extends DomainMessageType> = Extract<DomainMessage, { type: T }>;

export const subjectOf = (type: DomainMessageType): string => domainMessages[type].subject;
