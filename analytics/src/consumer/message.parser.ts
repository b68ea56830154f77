import {
  domainMessageSchema,
  interactionSchema,
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

export type ParsedInteractionMessage = ParsedInteraction | Invalid;
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

export function parseInteraction(value: Uint8Array): ParsedInteractionMessage {
  const decoded = decodeJson(value);
  if (!('ok' in decoded)) return decoded;
  const result = interactionSchema.safeParse(decoded.json);
  if (!result.success) {
    return { kind: 'invalid', reason: `invalid-interaction: ${describeIssues(result.error)}` };
  }
  const interaction = result.data;
  const eventTime = Date.parse(interaction.occurredAt);
  const receivedTime = Date.parse(interaction.receivedAt);
  if (!inDateTimeRange(eventTime) || !inDateTimeRange(receivedTime)) {
    return { kind: 'invalid', reason: 'out-of-range: occurredAt or receivedAt past 2106' };
  }
  if (eventTime > receivedTime + maxClockSkewMs) {
    return {
      kind: 'invalid',
      reason: `clock-skew: occurredAt is more than ${maxClockSkewMs / 60_000} minutes after receivedAt`,
    };
  }
  if (!uint32OrNull(interaction.position) || !uint32OrNull(interaction.resultCount)) {
    return { kind: 'invalid', reason: 'out-of-range: position and resultCount must be 0..2^32-1' };
  }
  return {
    kind: 'interaction',
    interaction,
    eventTime,
    receivedTime,
    userKey: interaction.userId ? `u:${interaction.userId}` : `s:${interaction.sessionId}`,
    queryKey: normalizeQuery(interaction.query),
  };
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
