import { z } from 'zod';

/** UUIDv7, lower case as we write them: time-ordered, so ids sort by creation. */
export const uuidv7 = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    'must be a UUIDv7',
  );

export const isoDateTime = z.iso.datetime({ offset: true });

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
