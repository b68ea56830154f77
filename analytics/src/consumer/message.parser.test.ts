import { interactionSchema } from '@platform/contracts';
import { describe, expect, it } from 'vitest';
import { generateStream } from '../testing/stream.generator.js';
import { parseInteraction } from './message.parser.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const valid = {
  id: '0190a0b0-1c2d-7abc-8def-0123456789ab',
  type: 'view',
  eventId: '0190a0b0-1111-7abc-9def-0123456789ab',
  query: null,
  position: 3,
  resultCount: null,
  surface: 'discover',
  occurredAt: '2024-06-01T10:00:00.000Z',
  receivedAt: '2024-06-01T10:00:01.000Z',
  sessionId: 's-0123456789ab',
  userId: null,
};

/** Variants around the schema's edges: each must get the schema's verdict. */
const variants: Record<string, unknown>[] = [
  valid,
  { ...valid, surface: undefined },
  { ...valid, surface: null },
  { ...valid, surface: 'nowhere' },
  { ...valid, extra: 'dropped by the schema' },
  { ...valid, id: '0190a0b0-1c2d-4abc-8def-0123456789ab' },
  { ...valid, id: '0190A0B0-1C2D-7ABC-8DEF-0123456789AB' },
  { ...valid, type: 'purchase' },
  { ...valid, eventId: 'not-a-uuid' },
  { ...valid, query: 42 },
  { ...valid, position: 1.5 },
  { ...valid, position: -1 },
  { ...valid, resultCount: '3' },
  { ...valid, occurredAt: '2024-06-01T10:00:00Z' },
  { ...valid, occurredAt: '2024-06-01T12:00:00.000+02:00' },
  { ...valid, occurredAt: '2024-02-30T10:00:00.000Z' },
  { ...valid, occurredAt: '2023-02-29T10:00:00.000Z' },
  { ...valid, occurredAt: '2024-02-29T10:00:00.000Z' },
  { ...valid, occurredAt: '2000-02-29T10:00:00.000Z' },
  { ...valid, occurredAt: '2100-02-29T10:00:00.000Z' },
  { ...valid, occurredAt: '2024-04-31T10:00:00.000Z' },
  { ...valid, occurredAt: '2024-06-01T10:00:60.000Z' },
  { ...valid, occurredAt: '2024-06-01 10:00:00.000Z' },
  { ...valid, occurredAt: '2O24-06-01T10:00:00.000Z' },
  { ...valid, occurredAt: '1969-12-31T23:59:59.999Z' },
  { ...valid, occurredAt: '2106-01-31T23:59:59.999Z', receivedAt: '2106-01-31T23:59:59.999Z' },
  { ...valid, occurredAt: '2024-06-01T24:00:00.000Z' },
  { ...valid, receivedAt: 1717236000000 },
  { ...valid, sessionId: null },
  { ...valid, userId: '0190a0b0-2222-7abc-cdef-0123456789ab' },
  { ...valid, userId: '0190a0b0-2222-7abc-8def-0123456789ab' },
];

/** The schema's verdict on the value, and the parser's. Range and clock-skew checks come after
 * the schema, so a message failing only those counts as one the schema accepted. */
function verdicts(value: Uint8Array) {
  const schema = interactionSchema.safeParse(JSON.parse(decoder.decode(value)));
  const parsed = parseInteraction(value);
  const accepted = parsed.kind === 'interaction' || !parsed.reason.startsWith('invalid-');
  return {
    parser: { accepted, ...(parsed.kind === 'interaction' && { interaction: parsed.interaction }) },
    schema: {
      accepted: schema.success,
      ...(parsed.kind === 'interaction' && { interaction: schema.data }),
    },
  };
}

describe('parseInteraction', () => {
  it('accepts and rejects exactly what interactionSchema does, with the same result', () => {
    for (const variant of variants) {
      const { parser, schema } = verdicts(encoder.encode(JSON.stringify(variant)));
      expect({ variant, ...parser }).toEqual({ variant, ...schema });
    }
  });

  it('agrees with interactionSchema over a generated stream with garbage in it', () => {
    const stream = generateStream({ seed: 7, interactions: 3_000, invalidRate: 0.05 });
    for (const message of stream.interactions) {
      const parsed = parseInteraction(message.value);
      if (parsed.kind === 'invalid' && parsed.reason.startsWith('invalid-json')) continue;
      const { parser, schema } = verdicts(message.value);
      expect(parser).toEqual(schema);
    }
  });

  it('gives the schema’s reason when a message is invalid', () => {
    const parsed = parseInteraction(encoder.encode(JSON.stringify({ ...valid, type: 'buy' })));
    expect(parsed).toMatchObject({ kind: 'invalid', reason: /^invalid-interaction: type: / });
  });
});
