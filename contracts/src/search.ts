import { z } from 'zod';
import { isoDateTime, text, uuidv7 } from './envelope.js';
import { venueSchema } from './domain.js';

/** Limits that keep one request cheap for the index: a query is a few words, not a document. */
export const searchLimits = {
  searchQueryMaxLength: 200,
  suggestQueryMaxLength: 100,
  maxWords: 10,
  maxLimit: 50,
  maxSuggestions: 10,
  /** Radius used when `near` is given without `radiusKm`. */
  defaultRadiusKm: 25,
  /** Half the Earth's circumference: any larger radius means "everywhere". */
  maxRadiusKm: 20_000,
} as const;

/**
 * What a person types. Not trimmed: a trailing space tells suggest that the last word is
 * complete. It must hold a letter or digit (punctuation alone matches nothing, so it is as empty
 * as an empty string) and no control characters.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const noControlCharacters = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;

const typedQuery = (maxLength: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(maxLength, `must be at most ${maxLength} characters`)
    .regex(noControlCharacters, 'must not contain control characters')
    .refine((v) => /[\p{L}\p{N}]/u.test(v), 'must contain at least one letter or digit')
    .refine(
      (v) => v.trim().split(/\s+/).length <= searchLimits.maxWords,
      `must have at most ${searchLimits.maxWords} words`,
    );

const coordinate = /^\s*(-?\d{1,3}(?:\.\d{1,12})?)\s*,\s*(-?\d{1,3}(?:\.\d{1,12})?)\s*$/;

/** `near=lat,lon` in decimal degrees. */
export const nearSchema = z
  .string()
  .regex(coordinate, 'must be "lat,lon" in decimal degrees, e.g. 45.76,4.83')
  .transform((v) => {
    const [, lat, lon] = coordinate.exec(v)!;
    return { lat: Number(lat), lon: Number(lon) };
  })
  .pipe(
    z.object({
      lat: z.number().min(-90).max(90),
      lon: z.number().min(-180).max(180),
    }),
  )
  .meta({
    type: 'string',
    pattern: coordinate.source,
    description: 'Latitude,longitude in decimal degrees',
  });

export const searchQuerySchema = z
  .object({
    q: typedQuery(searchLimits.searchQueryMaxLength).describe(
      'Words to find; the last one also matches as a prefix',
    ),
    category: text(2, 50).toLowerCase().optional(),
    city: text(1, 100).optional().describe('Case-insensitive exact city'),
    from: isoDateTime.optional().describe('Events starting at or after this instant'),
    to: isoDateTime.optional().describe('Events starting before this instant'),
    near: nearSchema.optional(),
    radiusKm: z.coerce
      .number()
      .positive()
      .max(searchLimits.maxRadiusKm)
      .optional()
      .describe(`Needs near; defaults to ${searchLimits.defaultRadiusKm} km when near is given`),
    cursor: z.string().min(1).max(500).optional(),
    limit: z.coerce.number().int().min(1).max(searchLimits.maxLimit).default(20),
  })
  .superRefine((v, ctx) => {
    if (v.radiusKm !== undefined && v.near === undefined)
      ctx.addIssue({ code: 'custom', path: ['radiusKm'], message: 'needs near=lat,lon' });
    if (v.from && v.to && new Date(v.from) >= new Date(v.to))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  });
export type SearchQuery = z.output<typeof searchQuerySchema>;

export const suggestQuerySchema = z.object({
  q: typedQuery(searchLimits.suggestQueryMaxLength).describe(
    'What has been typed so far; a trailing space ends the last word',
  ),
  limit: z.coerce.number().int().min(1).max(searchLimits.maxSuggestions).default(10),
});
export type SuggestQuery = z.output<typeof suggestQuerySchema>;

/** A matched character range `[start, end)` in UTF-16 code units of the string it refers to. */
export const highlightRangeSchema = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});
export type HighlightRange = z.infer<typeof highlightRangeSchema>;

export const searchHitSchema = z.object({
  eventId: uuidv7,
  title: z.string(),
  /** An excerpt of the description around its first match (the start when nothing matched). */
  snippet: z.string(),
  highlights: z.object({
    title: z.array(highlightRangeSchema),
    snippet: z.array(highlightRangeSchema),
  }),
  category: z.string(),
  tags: z.array(z.string()),
  venue: venueSchema,
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  capacity: z.number().int(),
  confirmedCount: z.number().int(),
  waitlistCount: z.number().int(),
  /** Distance from `near`, when given. */
  distanceKm: z.number().nullable(),
  score: z.number(),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

export const facetBucketSchema = z.object({ value: z.string(), count: z.number().int() });
export type FacetBucket = z.infer<typeof facetBucketSchema>;

export const searchResponseSchema = z.object({
  hits: z.array(searchHitSchema),
  /** Counted over every match of the query and filters, not only this page. */
  facets: z.object({
    category: z.array(facetBucketSchema),
    city: z.array(facetBucketSchema),
  }),
  total: z.number().int(),
  nextCursor: z.string().nullable(),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;

export const suggestionSchema = z.object({
  eventId: uuidv7,
  title: z.string(),
  /** Matched ranges of `title`, for bolding what was typed. */
  highlights: z.array(highlightRangeSchema),
});
export type Suggestion = z.infer<typeof suggestionSchema>;

export const suggestResponseSchema = z.object({ suggestions: z.array(suggestionSchema) });
export type SuggestResponse = z.infer<typeof suggestResponseSchema>;
