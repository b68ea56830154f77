import { z } from 'zod';
import { category, eventSchema } from './api.js';
import { isoDateTime, text, uuidv7 } from './envelope.js';

/** What a list of recommended, similar or trending events shows of each event. Counts come from
 * the serving catalogue and may be a few seconds behind; the event page has the live ones. */
export const eventSummarySchema = eventSchema.pick({
  id: true,
  title: true,
  category: true,
  tags: true,
  startsAt: true,
  endsAt: true,
  venue: true,
  capacity: true,
  confirmedCount: true,
  waitlistCount: true,
});
export type EventSummary = z.infer<typeof eventSummarySchema>;

export const recommendationReasonSchema = z.object({
  /** history: like an event the person registered for; content: matches their interests;
   * collaborative: people with similar taste go; trending: popular now; soon: starts soon. */
  kind: z.enum(['history', 'content', 'collaborative', 'trending', 'soon']),
  text: z.string(),
  /** The event in the person's history this one is like (kind = history). */
  eventId: uuidv7.optional(),
});
export type RecommendationReason = z.infer<typeof recommendationReasonSchema>;

export const recommendedItemSchema = z.object({
  event: eventSummarySchema,
  score: z.number(),
  reasons: z.array(recommendationReasonSchema),
});
export type RecommendedItem = z.infer<typeof recommendedItemSchema>;

export const recommendationsResponseSchema = z.object({
  /** Version of the live model that scored the list; null before any model was trained. */
  modelVersion: z.number().int().nullable(),
  /** personalised: the model knew the person; trending: new or anonymous people. */
  strategy: z.enum(['personalised', 'trending']),
  items: z.array(recommendedItemSchema),
});
export type RecommendationsResponse = z.infer<typeof recommendationsResponseSchema>;

export const recommendationsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(10),
  /** Where the person is, for "near me" when the model does not know them yet. */
  city: text(1, 100).optional(),
});

export const similarQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export const trendingQuerySchema = z.object({
  city: text(1, 100).optional(),
  category: category.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export const modelStatus = z.enum([
  'training',
  'candidate',
  'live',
  'rejected',
  'retired',
  'failed',
]);
export type ModelStatus = z.infer<typeof modelStatus>;

export const offlineMetricsSchema = z.object({
  ndcg10: z.number(),
  recall10: z.number(),
  map10: z.number(),
  coverage: z.number(),
});
export type OfflineMetrics = z.infer<typeof offlineMetricsSchema>;

export const modelSummarySchema = z.object({
  version: z.number().int(),
  status: modelStatus,
  algorithm: z.string(),
  /** The candidate's metrics on the holdout, with the popularity baseline and the model that was
   * live at the time measured on the same holdout. */
  metrics: z
    .object({
      candidate: offlineMetricsSchema,
      popularity: offlineMetricsSchema,
      live: offlineMetricsSchema.nullable(),
    })
    .nullable(),
  dataFrom: isoDateTime.nullable(),
  dataTo: isoDateTime.nullable(),
  users: z.number().int(),
  items: z.number().int(),
  interactions: z.number().int(),
  trainSeconds: z.number().nullable(),
  /** Why the run failed or was rejected. */
  reason: z.string().nullable(),
  createdAt: isoDateTime,
  promotedAt: isoDateTime.nullable(),
});
export type ModelSummary = z.infer<typeof modelSummarySchema>;

export const modelsResponseSchema = z.object({
  live: modelSummarySchema.nullable(),
  /** The latest runs, newest first. */
  models: z.array(modelSummarySchema),
  /** A training run is queued or going on. */
  training: z.boolean(),
});
export type ModelsResponse = z.infer<typeof modelsResponseSchema>;

export const retrainResponseSchema = z.object({
  jobId: z.string(),
  /** queued: a new run; already-running: the current run answers the request. */
  status: z.enum(['queued', 'already-running']),
});
export type RetrainResponse = z.infer<typeof retrainResponseSchema>;
