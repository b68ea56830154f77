import { z } from 'zod';
import { isoDateTime, text, uuidv7 } from './envelope.js';
import { eventStatus, registrationStatus, venueSchema } from './domain.js';

/** RFC 9457 problem details, as every error response carries them. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof problemSchema>;

/** Emails are compared trimmed and lower-cased: one account per mailbox however it is typed. */
export const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email().max(254))
  .meta({ format: 'email', maxLength: 254 });

/** Any characters but NUL, which PostgreSQL text cannot hold. */
const password = (min: number) =>
  z
    .string()
    .min(min)
    .max(256)
    // eslint-disable-next-line no-control-regex -- matching NUL is the point
    .regex(/^[^\u0000]*$/, 'must not contain NUL');

export const registerBodySchema = z.strictObject({
  email,
  password: password(10),
  name: text(1, 100),
});
export const loginBodySchema = z.strictObject({
  email,
  password: password(1),
});

export const userSchema = z.object({
  id: uuidv7,
  email: z.string(),
  name: z.string(),
  role: z.enum(['user', 'admin']),
  createdAt: isoDateTime,
});
export type User = z.infer<typeof userSchema>;

export const authResponseSchema = z.object({ user: userSchema, accessToken: z.string() });
export const refreshResponseSchema = z.object({ accessToken: z.string() });

export const eventTitle = text(3, 200);
const description = text(0, 10_000);
export const category = text(2, 50).toLowerCase();
const tags = z.array(text(1, 40).toLowerCase()).max(20);
const capacity = z.number().int().min(1).max(1_000_000);

export const createEventBodySchema = z.strictObject({
  title: eventTitle,
  description: description.default(''),
  category,
  tags: tags.default([]),
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  venue: venueSchema,
  capacity,
});
export type CreateEventBody = z.infer<typeof createEventBodySchema>;

export const updateEventBodySchema = z
  .strictObject({
    title: eventTitle,
    description,
    category,
    tags,
    startsAt: isoDateTime,
    endsAt: isoDateTime,
    venue: venueSchema,
    capacity,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'at least one field to change');
export type UpdateEventBody = z.infer<typeof updateEventBodySchema>;

export const eventSchema = z.object({
  id: uuidv7,
  organizerId: uuidv7,
  title: z.string(),
  description: z.string(),
  category: z.string(),
  tags: z.array(z.string()),
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  venue: venueSchema,
  capacity: z.number().int(),
  confirmedCount: z.number().int(),
  waitlistCount: z.number().int(),
  status: eventStatus,
  /** Increases with every change, counts included: the version of this representation. */
  revision: z.number().int().positive(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  publishedAt: isoDateTime.nullable(),
});
export type Event = z.infer<typeof eventSchema>;

export const pageQuerySchema = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const listEventsQuerySchema = pageQuerySchema.extend({
  category: category.optional(),
  city: text(1, 100).optional(),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const registrationSchema = z.object({
  id: uuidv7,
  eventId: uuidv7,
  userId: uuidv7,
  status: registrationStatus,
  position: z.number().int().positive().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Registration = z.infer<typeof registrationSchema>;

export const idParamsSchema = z.strictObject({ id: uuidv7 });

export const registrationWithEventSchema = registrationSchema.extend({
  event: z.object({
    id: uuidv7,
    title: z.string(),
    startsAt: isoDateTime,
    endsAt: isoDateTime,
    city: z.string(),
    status: eventStatus,
  }),
});
export type RegistrationWithEvent = z.infer<typeof registrationWithEventSchema>;

export const myRegistrationsQuerySchema = pageQuerySchema.extend({
  when: z.enum(['upcoming', 'past', 'all']).default('all'),
});

export const attendeeSchema = z.object({
  registrationId: uuidv7,
  user: z.object({ id: uuidv7, name: z.string(), email: z.string() }),
  status: z.enum(['confirmed', 'waitlisted']),
  position: z.number().int().positive().nullable(),
  registeredAt: isoDateTime,
});
export type Attendee = z.infer<typeof attendeeSchema>;

export const attendeesQuerySchema = pageQuerySchema.extend({
  status: z.enum(['confirmed', 'waitlisted']).default('confirmed'),
});

/** What `GET /v1/events/:id/live` streams: an event's seats as of one revision. */
export const capacityUpdateSchema = z.object({
  eventId: uuidv7,
  revision: z.number().int().positive(),
  capacity: z.number().int(),
  confirmedCount: z.number().int(),
  waitlistCount: z.number().int(),
  status: eventStatus,
});
export type CapacityUpdate = z.infer<typeof capacityUpdateSchema>;

/** One Server-Sent Event of that stream, as clients parse it. */
export const capacityEventSchema = z.object({
  event: z.literal('capacity'),
  id: z.string().regex(/^\d+$/).describe('The event revision; send it back as Last-Event-ID'),
  data: z
    .string()
    .describe(
      'JSON of a capacity update: eventId, revision, capacity, confirmedCount, waitlistCount, status',
    ),
  retry: z.number().int().optional(),
});
