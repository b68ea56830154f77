import { z } from 'zod';

/** UUIDv7, lower case as we write them: time-ordered, so ids sort by creation. */
export const uuidv7 = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    'must be a UUIDv7',
  );

/** UTC offsets exist from -12:00 to +14:00; the ISO grammar alone allows +99:59. */
const saneInstant = (value: string) => {
  const offset = /([+-])(\d\d):?(\d\d)$/.exec(value);
  if (offset && Number(offset[2]) * 60 + Number(offset[3]) > 14 * 60) return false;
  const year = new Date(value).getUTCFullYear();
  return year >= 1970 && year <= 9999;
};

/** An ISO 8601 instant with an offset or Z, between 1970 and 9999. */
export const isoDateTime = z.iso
  .datetime({ offset: true })
  .refine(saneInstant, 'must be a real instant between 1970 and 9999, offset at most ±14:00');

/**
 * Human text: trimmed, bounded, and free of NUL and other control characters (PostgreSQL text
 * cannot hold NUL; the rest only ever arrives by accident or attack). Tab and newline are fine.
 */
export const text = (min: number, max: number) =>
  z
    .string()
    .regex(
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/,
      'must not contain control characters',
    )
    .trim()
    .min(min)
    .max(max);

/**
 * The envelope around every message on NATS and Kafka.
 * `version` is the schema version of `data` for this `type`.
 */
export const envelopeSchema = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.strictObject({
    id: uuidv7,
    type: z.literal(type),
    version: z.literal(1),
    occurredAt: isoDateTime,
    aggregateId: z.string().min(1),
    data,
  });

export const anyEnvelopeSchema = z.object({
  id: uuidv7,
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: isoDateTime,
  aggregateId: z.string().min(1),
  data: z.unknown(),
});
export type AnyEnvelope = z.infer<typeof anyEnvelopeSchema>;
