import { z } from 'zod';
import { isoDateTime, uuidv7 } from './envelope.js';
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

export const email = z
  .email()
  .max(254)
  .transform((v) => v.trim().toLowerCase());

export const registerBodySchema = z.strictObject({
  email,
  password: z.string().min(10).max(256),
  name: z.string().trim().min(1).max(100),
});
export const loginBodySchema = z.strictObject({
  email,
  password: z.string().min(1).max(256),
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

const title = z.string().trim().min(3).max(200);
const description = z.string().trim().max(10_000);
const category = z.string().trim().toLowerCase().min(2).max(50);
const tags = z.array(z.string().trim().toLowerCase().min(1).max(40)).max(20);
const capacity = z.number().int().min(1).max(1_000_000);

export const createEventBodySchema = z.strictObject({
  title,
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
    title,
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
  city: z.string().trim().min(1).max(100).optional(),
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
