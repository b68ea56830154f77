import { z } from 'zod';
import { isoDateTime, text, uuidv7 } from './envelope.js';

export const interactionType = z.enum(['impression', 'view', 'click', 'search', 'share']);
export type InteractionType = z.infer<typeof interactionType>;

/** Where in the product the person saw or did it; recommendation click-through is computed
 * from impressions and clicks with `surface = recommendations`. */
export const interactionSurface = z.enum([
  'discover',
  'recommendations',
  'trending',
  'similar',
  'search',
  'suggest',
  'event',
]);
export type InteractionSurface = z.infer<typeof interactionSurface>;

/** What a client sends: one thing a person did in the UI. */
export const interactionInputSchema = z
  .strictObject({
    type: interactionType,
    eventId: uuidv7.optional(),
    query: text(1, 200).optional(),
    /** Rank of the event in the list the person saw (0-based). */
    position: z.number().int().min(0).max(10_000).optional(),
    /** Number of results a search returned. */
    resultCount: z.number().int().min(0).optional(),
    surface: interactionSurface.optional(),
    occurredAt: isoDateTime,
    sessionId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 letters, digits, - or _'),
  })
  .superRefine((v, ctx) => {
    if (v.type === 'search' && v.query === undefined) {
      ctx.addIssue({ code: 'custom', path: ['query'], message: 'a search needs its query' });
    }
    if (v.type !== 'search' && v.eventId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['eventId'], message: `a ${v.type} needs an eventId` });
    }
  });
export type InteractionInput = z.infer<typeof interactionInputSchema>;

export const interactionBatchSchema = z.strictObject({
  interactions: z.array(interactionInputSchema).min(1).max(500),
});
export type InteractionBatch = z.infer<typeof interactionBatchSchema>;

/** What travels on `interactions.v1`: the input plus what the server knows. */
export const interactionSchema = z.object({
  id: uuidv7,
  type: interactionType,
  eventId: uuidv7.nullable(),
  query: z.string().nullable(),
  position: z.number().int().nullable(),
  resultCount: z.number().int().nullable(),
  /** Absent on messages produced before the field existed. */
  surface: interactionSurface.nullable().optional(),
  occurredAt: isoDateTime,
  receivedAt: isoDateTime,
  sessionId: z.string(),
  userId: uuidv7.nullable(),
});
export type Interaction = z.infer<typeof interactionSchema>;

/** The most items one `impression-list` message carries (as many as one ingest request). */
export const maxImpressionListItems = 500;

/**
 * Impressions of one list a person saw at once (a list the server served, or a client's batch
 * of impressions sharing surface, time and session): one message on `interactions.v1` for the
 * whole list rather than one per item, since the producer's cost is per record. Consumers expand
 * it into the interactions it stands for (`expandInteractions`); each item keeps its own id.
 */
export const impressionListSchema = z.object({
  type: z.literal('impression-list'),
  query: z.string().nullable(),
  resultCount: z.number().int().nullable(),
  surface: interactionSurface.nullable(),
  occurredAt: isoDateTime,
  receivedAt: isoDateTime,
  sessionId: z.string(),
  userId: uuidv7.nullable(),
  items: z
    .array(z.object({ id: uuidv7, eventId: uuidv7, position: z.number().int().nullable() }))
    .min(1)
    .max(maxImpressionListItems),
});
export type ImpressionList = z.infer<typeof impressionListSchema>;

/** A message on `interactions.v1`: one interaction, or one list's impressions. */
export const interactionMessageSchema = z.discriminatedUnion('type', [
  interactionSchema,
  impressionListSchema,
]);
export type InteractionMessage = z.infer<typeof interactionMessageSchema>;

/** The interactions a message on `interactions.v1` stands for, in list order. */
export function expandInteractions(message: InteractionMessage): Interaction[] {
  if (message.type !== 'impression-list') return [message];
  const { items, type: _type, ...shared } = message;
  return items.map(({ id, eventId, position }) => ({
    id,
    type: 'impression',
    eventId,
    position,
    ...shared,
  }));
}
