import {
  domainMessageSchema,
  expandInteractions,
  interactionMessageSchema,
  interactionSchema,
  maxImpressionListItems,
  type DomainMessageOf,
  type EventSnapshot,
  type Interaction,
} from '@platform/contracts';
import type { z } from 'zod';

/**
 * Turns a message value into what the analytics tables hold, or into a reason it cannot be
 * used. The rules depend on the message alone (never on the clock or on other messages), so the
 * stream processor and the offline recomputation judge every message the same way.
 */

export interface ParsedInteraction {
  kind: 'interaction';
  interaction: Interaction;
  /** Event time, epoch milliseconds. */
  eventTime: number;
  receivedTime: number;
  /** Who counts as one person: `u:<user id>`, or `s:<session id>` when anonymous. */
  userKey: string;
  /** The search text trimmed, lower-cased, with single spaces; '' when there is none. */
  queryKey: string;
}

export interface ParsedEvent {
  kind: 'event';
  message: DomainMessageOf<
    'event.created' | 'event.updated' | 'event.published' | 'event.cancelled'
  >;
  snapshot: EventSnapshot;
}

export interface ParsedRegistration {
  kind: 'registration';
  message: DomainMessageOf<
    | 'registration.confirmed'
    | 'registration.waitlisted'
    | 'registration.cancelled'
    | 'registration.promoted'
  >;
}

/** A valid message analytics has no use for (another aggregate's types). */
export interface Ignored {
  kind: 'ignored';
  type: string;
}

export interface Invalid {
  kind: 'invalid';
  reason: string;
}

/** A message on `interactions.v1`: one interaction, or a list's impressions, in list order. */
export interface ParsedInteractions {
  kind: 'interactions';
  interactions: ParsedInteraction[];
}

export type ParsedInteractionMessage = ParsedInteractions | Invalid;
export type ParsedDomainMessage = ParsedEvent | ParsedRegistration | Ignored | Invalid;

/**
 * How far ahead of the server's receive time an event time may be. A client clock far in the
 * future would push its partition's watermark ahead and make every later record "too late"; the
 * receive time is in the message, so this stays a pure function of the message.
 */
export const maxClockSkewMs = 5 * 60_000;

/** ClickHouse DateTime holds seconds in [0, 2^32). */
const maxDateTimeMs = 4_294_967_295_000;
const maxUInt32 = 4_294_967_295;

const decoder = new TextDecoder('utf-8', { fatal: true });

function decodeJson(value: Uint8Array): { ok: true; json: unknown } | Invalid {
  try {
    return { ok: true, json: JSON.parse(decoder.decode(value)) };
  } catch (error) {
    return { kind: 'invalid', reason: `invalid-json: ${(error as Error).message}` };
  }
}

const describeIssues = (error: z.ZodError) =>
  error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');

const inDateTimeRange = (ms: number) => ms >= 0 && ms < maxDateTimeMs;
const uint32OrNull = (n: number | null) => n === null || (n >= 0 && n <= maxUInt32);

export const normalizeQuery = (query: string | null) =>
  query === null ? '' : query.trim().toLowerCase().replace(/\s+/g, ' ');

const uuidv7Pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const interactionTypes = new Set<unknown>(interactionSchema.shape.type.options);
const surfaces = new Set<unknown>(interactionSchema.shape.surface.unwrap().unwrap().options);
const isUuidv7 = (v: unknown): v is string => typeof v === 'string' && uuidv7Pattern.test(v);
const isIntOrNull = (v: unknown): v is number | null => v === null || Number.isInteger(v);

/** The number written in `length` decimal digits at `from`; NaN when one is not a digit. */
function digitsAt(text: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    value = value * 10 + d;
  }
  return value;
}

const daysInMonth = (year: number, month: number) =>
  month === 2
    ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/** Where `YYYY-MM-DDTHH:mm:ss.sssZ` has its separators, and which. */
const separators = (
  [
    [4, '-'],
    [7, '-'],
    [10, 'T'],
    [13, ':'],
    [16, ':'],
    [19, '.'],
    [23, 'Z'],
  ] as const
).map(([at, char]) => [at, char.charCodeAt(0)] as const);

/** Whether `v` is exactly what `Date#toISOString` writes (`YYYY-MM-DDTHH:mm:ss.sssZ`) for a real
 * instant from 1970 on: an instant `isoDateTime` accepts. Checked digit by digit, since
 * `Date.parse` rolls 30 February over into March. */
function isCanonicalInstant(v: unknown): v is string {
  if (typeof v !== 'string' || v.length !== 24) return false;
  for (const [at, char] of separators) if (v.charCodeAt(at) !== char) return false;
  const year = digitsAt(v, 0, 4);
  const month = digitsAt(v, 5, 2);
  const day = digitsAt(v, 8, 2);
  return (
    year >= 1970 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    digitsAt(v, 11, 2) <= 23 &&
    digitsAt(v, 14, 2) <= 59 &&
    digitsAt(v, 17, 2) <= 59 &&
    digitsAt(v, 20, 3) >= 0
  );
}
/**
 * The interactions `expandInteractions` returns for the message, when it is one
 * `interactionMessageSchema` accepts in the shape the platform writes (canonical `toISOString`
 * instants); null otherwise, and the schema decides. Why not zod alone: on the analytics hot path
 * zod's validation and copy cost more than the rest of the per-message work; this check accepts
 * only what the schema accepts (`message.parser.test.ts` holds both to the same answers), and
 * anything unusual still gets zod's verdict and its reason for the dead letter.
 */
function interactionsFastPath(json: unknown): Interaction[] | null {
  if (typeof json !== 'object' || json === null) return null;
  const v = json as Record<string, unknown>;
  const { id, type, eventId, query, position, resultCount, surface, occurredAt } = v;
  const { receivedAt, sessionId, userId } = v;
  // What every message shares: the list's fields, or the one interaction's.
  if (
    !(query === null || typeof query === 'string') ||
    !isIntOrNull(resultCount) ||
    !isCanonicalInstant(occurredAt) ||
    !isCanonicalInstant(receivedAt) ||
    typeof sessionId !== 'string' ||
    !(userId === null || isUuidv7(userId))
  ) {
    return null;
  }
  if (type === 'impression-list') {
    const { items } = v;
    if (
      !(surface === null || surfaces.has(surface)) ||
      !Array.isArray(items) ||
      items.length < 1 ||
      items.length > maxImpressionListItems
    ) {
      return null;
    }
    const interactions: Interaction[] = [];
    for (const item of items as unknown[]) {
      if (typeof item !== 'object' || item === null) return null;
      const { id, eventId, position } = item as Record<string, unknown>;
      if (!isUuidv7(id) || !isUuidv7(eventId) || !isIntOrNull(position)) return null;
      interactions.push({
        id,
        type: 'impression',
        eventId,
        position,
        query,
        resultCount,
        surface: surface as Interaction['surface'],
        occurredAt,
        receivedAt,
        sessionId,
        userId,
      });
    }
    return interactions;
  }
  if (
    !isUuidv7(id) ||
    !interactionTypes.has(type) ||
    !(eventId === null || isUuidv7(eventId)) ||
    !isIntOrNull(position) ||
    !(surface === undefined || surface === null || surfaces.has(surface))
  ) {
    return null;
  }
  const interaction: Interaction = {
    id,
    type: type as Interaction['type'],
    eventId,
    query,
    position,
    resultCount,
    occurredAt,
    receivedAt,
    sessionId,
    userId,
  };
  // zod leaves an absent optional key absent.
  if ('surface' in v) interaction.surface = surface as Interaction['surface'];
  return [interaction];
}

/** The interactions of one message on `interactions.v1`, or why it cannot be used: a list is
 * valid or invalid as a whole, so its dead letter is the message as it came. */
export function parseInteractionMessage(value: Uint8Array): ParsedInteractionMessage {
  const decoded = decodeJson(value);
  if (!('ok' in decoded)) return decoded;
  let interactions = interactionsFastPath(decoded.json);
  if (!interactions) {
    const result = interactionMessageSchema.safeParse(decoded.json);
    if (!result.success) {
      return { kind: 'invalid', reason: `invalid-interaction: ${describeIssues(result.error)}` };
    }
    interactions = expandInteractions(result.data);
  }
  // A list's items share their times and person: checked and derived once.
  const first = interactions[0]!;
  const eventTime = Date.parse(first.occurredAt);
  const receivedTime = Date.parse(first.receivedAt);
  if (!inDateTimeRange(eventTime) || !inDateTimeRange(receivedTime)) {
    return { kind: 'invalid', reason: 'out-of-range: occurredAt or receivedAt past 2106' };
  }
  if (eventTime > receivedTime + maxClockSkewMs) {
    return {
      kind: 'invalid',
      reason: `clock-skew: occurredAt is more than ${maxClockSkewMs / 60_000} minutes after receivedAt`,
    };
  }
  const userKey = first.userId ? `u:${first.userId}` : `s:${first.sessionId}`;
  const queryKey = normalizeQuery(first.query);
  const parsed: ParsedInteraction[] = [];
  for (const interaction of interactions) {
    if (!uint32OrNull(interaction.position) || !uint32OrNull(interaction.resultCount)) {
      return {
        kind: 'invalid',
        reason: 'out-of-range: position and resultCount must be 0..2^32-1',
      };
    }
    parsed.push({ kind: 'interaction', interaction, eventTime, receivedTime, userKey, queryKey });
  }
  return { kind: 'interactions', interactions: parsed };
}

export function parseDomainMessage(value: Uint8Array): ParsedDomainMessage {
  const decoded = decodeJson(value);
  if (!('ok' in decoded)) return decoded;
  const type = (decoded.json as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && !type.startsWith('event.') && !type.startsWith('registration.')) {
    return { kind: 'ignored', type };
  }
  const result = domainMessageSchema.safeParse(decoded.json);
  if (!result.success) {
    return { kind: 'invalid', reason: `invalid-domain-message: ${describeIssues(result.error)}` };
  }
  const message = result.data;
  if (!inDateTimeRange(Date.parse(message.occurredAt))) {
    return { kind: 'invalid', reason: 'out-of-range: occurredAt past 2106' };
  }
  switch (message.type) {
    case 'event.created':
    case 'event.updated':
    case 'event.published':
    case 'event.cancelled': {
      const snapshot = message.data;
      if (!inDateTimeRange(Date.parse(snapshot.startsAt)) || snapshot.revision > maxUInt32) {
        return { kind: 'invalid', reason: 'out-of-range: startsAt or revision' };
      }
      return { kind: 'event', message, snapshot };
    }
    case 'registration.confirmed':
    case 'registration.waitlisted':
    case 'registration.cancelled':
    case 'registration.promoted': {
      const d = message.data;
      const counts = [d.capacity, d.confirmedCount, d.waitlistCount, d.eventRevision, d.position];
      if (!counts.every((n) => uint32OrNull(n))) {
        return { kind: 'invalid', reason: 'out-of-range: registration counts must be 0..2^32-1' };
      }
      return { kind: 'registration', message };
    }
    default:
      return { kind: 'ignored', type: message.type };
  }
}
