import { expandInteractions, interactionMessageSchema } from '@platform/contracts';
import { describe, expect, it } from 'vitest';
import { generateStream } from '../testing/stream.generator.js';
import { parseInteractionMessage } from './message.parser.js';

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

const item = (n: number) => ({
  id: `0190a0b0-1c2d-7abc-8def-0123456789${(10 + n).toString(16).padStart(2, '0')}`,
  eventId: `0190a0b0-1111-7abc-9def-0123456789${(10 + n).toString(16).padStart(2, '0')}`,
  position: n,
});

const list = {
  type: 'impression-list',
  query: null,
  resultCount: null,
  surface: 'recommendations',
  occurredAt: '2024-06-01T10:00:00.000Z',
  receivedAt: '2024-06-01T10:00:01.000Z',
  sessionId: 's-0123456789ab',
  userId: '0190a0b0-2222-7abc-8def-0123456789ab',
  items: [item(0), item(1), item(2)],
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
  { ...valid, type: 'impression-list' },
  list,
  { ...list, surface: null, query: 'jazz', resultCount: 3 },
  { ...list, surface: undefined },
  { ...list, surface: 'nowhere' },
  { ...list, extra: 'dropped by the schema', id: valid.id },
  { ...list, items: [] },
  { ...list, items: Array.from({ length: 500 }, (_, n) => item(n % 200)) },
  { ...list, items: Array.from({ length: 501 }, (_, n) => item(n % 200)) },
  { ...list, items: 'not a list' },
  { ...list, items: [item(0), null] },
  { ...list, items: [item(0), { ...item(1), eventId: null }] },
  { ...list, items: [item(0), { ...item(1), id: valid.id.toUpperCase() }] },
  { ...list, items: [item(0), { ...item(1), position: null }] },
  { ...list, items: [item(0), { ...item(1), position: 1.5 }] },
  { ...list, items: [item(0), { ...item(1), position: -1 }] },
  { ...list, items: [item(0), { ...item(1), extra: 'dropped by the schema' }] },
  { ...list, occurredAt: '2024-02-30T10:00:00.000Z' },
  { ...list, occurredAt: '2024-06-01T10:10:00.000Z' },
  { ...list, userId: '0190a0b0-2222-4abc-8def-0123456789ab' },
];

/** The schema's verdict on the value, and the parser's. Range and clock-skew checks come after
 * the schema, so a message failing only those counts as one the schema accepted. */
function verdicts(value: Uint8Array) {
  const schema = interactionMessageSchema.safeParse(JSON.parse(decoder.decode(value)));
  const parsed = parseInteractionMessage(value);
  const accepted = parsed.kind === 'interactions' || !parsed.reason.startsWith('invalid-');
  return {
    parser: {
      accepted,
      ...(parsed.kind === 'interactions' && {
        interactions: parsed.interactions.map((p) => p.interaction),
      }),
    },
    schema: {
      accepted: schema.success,
      ...(parsed.kind === 'interactions' && { interactions: expandInteractions(schema.data!) }),
    },
  };
}

describe('parseInteractionMessage', () => {
  it('accepts and rejects exactly what interactionMessageSchema does, with the same result', () => {
    let accepted = 0;
    for (const variant of variants) {
      const { parser, schema } = verdicts(encoder.encode(JSON.stringify(variant)));
      expect({ variant, ...parser }).toEqual({ variant, ...schema });
      if (parser.accepted) accepted++;
    }
    // Both kinds of verdict are in the set, so agreement is not agreement on one answer.
    expect(accepted).toBeGreaterThan(5);
    expect(accepted).toBeLessThan(variants.length - 5);
  });

  it('expands a list into its impressions, sharing the list’s fields, in list order', () => {
    const parsed = parseInteractionMessage(encoder.encode(JSON.stringify(list)));
    expect(parsed.kind).toBe('interactions');
    if (parsed.kind !== 'interactions') return;
    expect(parsed.interactions.map((p) => p.interaction)).toEqual(
      list.items.map(({ id, eventId, position }) => ({
        id,
        type: 'impression',
        eventId,
        position,
        query: null,
        resultCount: null,
        surface: 'recommendations',
        occurredAt: list.occurredAt,
        receivedAt: list.receivedAt,
        sessionId: list.sessionId,
        userId: list.userId,
      })),
    );
    expect(new Set(parsed.interactions.map((p) => p.userKey))).toEqual(
      new Set([`u:${list.userId}`]),
    );
    expect(parsed.interactions[0]!.eventTime).toBe(Date.parse(list.occurredAt));
  });

  it('refuses a whole list when one item is out of range', () => {
    const parsed = parseInteractionMessage(
      encoder.encode(JSON.stringify({ ...list, items: [item(0), { ...item(1), position: -1 }] })),
    );
    expect(parsed).toMatchObject({ kind: 'invalid', reason: /^out-of-range: position/ });
  });

  it('agrees with the schema over a generated stream with lists and garbage in it', () => {
    const stream = generateStream({
      seed: 7,
      interactions: 3_000,
      invalidRate: 0.05,
      impressionListRate: 0.3,
    });
    let lists = 0;
    for (const message of stream.interactions) {
      const parsed = parseInteractionMessage(message.value);
      if (parsed.kind === 'invalid' && parsed.reason.startsWith('invalid-json')) continue;
      if (parsed.kind === 'interactions' && parsed.interactions.length > 1) lists++;
      const { parser, schema } = verdicts(message.value);
      expect(parser).toEqual(schema);
    }
    expect(lists).toBeGreaterThan(50);
  });

  it('gives the schema’s reason when a message is invalid', () => {
    const parsed = parseInteractionMessage(
      encoder.encode(JSON.stringify({ ...valid, type: 'buy' })),
    );
    expect(parsed).toMatchObject({ kind: 'invalid', reason: /^invalid-interaction: type: / });
  });
});
