import { topics } from '@platform/contracts';
import { defaultWindowOptions, type WindowOptions } from '../windows/window.engine.js';
import { parseDomainMessage, parseInteractionMessage } from './message.parser.js';

export interface LoggedMessage {
  topic: string;
  partition: number;
  offset: string;
  value: Uint8Array;
}

export interface OfflineWindow {
  /** Epoch seconds. */
  windowStart: number;
  eventId: string;
  type: string;
  interactions: number;
  users: number;
}

export interface OfflineAggregates {
  /** Keyed `${windowStart}|${eventId}|${type}`. */
  windows: Map<string, OfflineWindow>;
  /** Ids of interactions past their window's allowed lateness. */
  late: Set<string>;
  invalid: number;
  /** Distinct registrations created (confirmed or waitlisted) per event. */
  registrations: Map<string, number>;
}

/**
 * The reference the stream processor must match: the aggregates computed in one pass over
 * everything the topics hold, written without the window engine so a mistake in one is not
 * copied into the other. Per partition, in offset order, a record is too late when the highest
 * event time before it in its partition, minus the delay, has reached its window's end plus the
 * allowed lateness; everything else counts, once per interaction id.
 */
export function recomputeOffline(
  messages: readonly LoggedMessage[],
  options: Partial<WindowOptions> & { topics?: { interactions: string; domain: string } } = {},
): OfflineAggregates {
  const { windowMs, delayMs, allowedLatenessMs } = { ...defaultWindowOptions, ...options };
  const names = options.topics ?? topics;
  const ordered = [...messages].sort(
    (a, b) =>
      a.topic.localeCompare(b.topic) ||
      a.partition - b.partition ||
      (BigInt(a.offset) < BigInt(b.offset) ? -1 : BigInt(a.offset) > BigInt(b.offset) ? 1 : 0),
  );
  const maxByPartition = new Map<number, number>();
  const sets = new Map<
    string,
    { key: Omit<OfflineWindow, 'interactions' | 'users'>; ids: Map<string, string> }
  >();
  const late = new Set<string>();
  const registrations = new Map<string, Set<string>>();
  let invalid = 0;

  for (const m of ordered) {
    if (m.topic === names.interactions) {
      const parsed = parseInteractionMessage(m.value);
      if (parsed.kind === 'invalid') {
        invalid++;
        continue;
      }
      // A list's impressions count one by one, in list order.
      for (const { interaction, eventTime: t, userKey } of parsed.interactions) {
        const start = t - (((t % windowMs) + windowMs) % windowMs);
        const max = maxByPartition.get(m.partition);
        if (max !== undefined && max - delayMs >= start + windowMs + allowedLatenessMs) {
          late.add(interaction.id);
          continue;
        }
        if (max === undefined || t > max) maxByPartition.set(m.partition, t);
        const eventId = interaction.eventId ?? '';
        const key = `${start / 1000}|${eventId}|${interaction.type}`;
        let entry = sets.get(key);
        if (!entry) {
          entry = {
            key: { windowStart: start / 1000, eventId, type: interaction.type },
            ids: new Map(),
          };
          sets.set(key, entry);
        }
        entry.ids.set(interaction.id, userKey);
      }
    } else if (m.topic === names.domain) {
      const parsed = parseDomainMessage(m.value);
      if (parsed.kind === 'invalid') invalid++;
      if (parsed.kind !== 'registration') continue;
      const { type, data } = parsed.message;
      if (type !== 'registration.confirmed' && type !== 'registration.waitlisted') continue;
      const set = registrations.get(data.eventId) ?? new Set<string>();
      set.add(data.registrationId);
      registrations.set(data.eventId, set);
    }
  }

  const windows = new Map<string, OfflineWindow>();
  for (const [key, { key: k, ids }] of sets) {
    windows.set(key, { ...k, interactions: ids.size, users: new Set(ids.values()).size });
  }
  return {
    windows,
    late,
    invalid,
    registrations: new Map([...registrations].map(([id, set]) => [id, set.size])),
  };
}
