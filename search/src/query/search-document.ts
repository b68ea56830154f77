import type { DomainMessage, EventSnapshot } from '@platform/contracts';

/** The event fields search shows and filters on, from the latest snapshot. */
export type EventFields = Pick<
  EventSnapshot,
  'title' | 'description' | 'category' | 'tags' | 'startsAt' | 'endsAt' | 'venue' | 'status'
>;

export interface Counts {
  capacity: number;
  confirmedCount: number;
  waitlistCount: number;
}

/**
 * What both indexes store per event. Two parts move independently: the event fields (from
 * `event.*` snapshots) and the registration counts (from snapshots and `registration.*`
 * messages). Each part remembers the event revision it came from and only a higher revision
 * replaces it, so applying messages in any order, any number of times, ends in the same document.
 */
export interface SearchDocument {
  id: string;
  /** Revision of the snapshot `event` came from; 0 while only counts are known. */
  snapshotRevision: number;
  /** Revision the counts came from. */
  countsRevision: number;
  event: EventFields | null;
  counts: Counts;
  /**
   * Recent demand: registrations gained, halving every day, as of `at` (the last gain). It is
   * derived from successive counts, so it moves with the counts.
   */
  trend: { value: number; at: string } | null;
}

export const TREND_HALF_LIFE_MS = 24 * 3_600_000;

const emptyDocument = (id: string): SearchDocument => ({
  id,
  snapshotRevision: 0,
  countsRevision: 0,
  event: null,
  counts: { capacity: 0, confirmedCount: 0, waitlistCount: 0 },
  trend: null,
});

const fieldsOf = (s: EventSnapshot): EventFields => ({
  title: s.title,
  description: s.description,
  category: s.category,
  tags: s.tags,
  startsAt: s.startsAt,
  endsAt: s.endsAt,
  venue: s.venue,
  status: s.status,
});

const registrationsOf = (c: Counts) => c.confirmedCount + c.waitlistCount;

/** A full document from a snapshot, e.g. a row read back from the database during a reindex. */
export function documentFromSnapshot(
  snapshot: EventSnapshot,
  trend: SearchDocument['trend'] = null,
): SearchDocument {
  return {
    id: snapshot.id,
    snapshotRevision: snapshot.revision,
    countsRevision: snapshot.revision,
    event: fieldsOf(snapshot),
    counts: {
      capacity: snapshot.capacity,
      confirmedCount: snapshot.confirmedCount,
      waitlistCount: snapshot.waitlistCount,
    },
    trend,
  };
}

function withCounts(
  doc: SearchDocument,
  counts: Counts,
  revision: number,
  occurredAt: string,
): SearchDocument {
  let trend = doc.trend;
  // The first counts seen have no predecessor to measure a gain against.
  if (doc.countsRevision > 0) {
    const gained = Math.max(0, registrationsOf(counts) - registrationsOf(doc.counts));
    if (gained > 0) {
      const at = Date.parse(occurredAt);
      const previousAt = trend ? Date.parse(trend.at) : at;
      const decayed = trend
        ? trend.value * 0.5 ** (Math.max(0, at - previousAt) / TREND_HALF_LIFE_MS)
        : 0;
      trend = {
        value: decayed + gained,
        at: new Date(Math.max(at, previousAt)).toISOString(),
      };
    }
  }
  return { ...doc, counts, countsRevision: revision, trend };
}

/** The event a message is about, when search cares about the message. */
export function eventIdOf(message: DomainMessage): string | undefined {
  switch (message.type) {
    case 'event.created':
    case 'event.updated':
    case 'event.published':
    case 'event.cancelled':
      return message.data.id;
    case 'registration.confirmed':
    case 'registration.waitlisted':
    case 'registration.cancelled':
    case 'registration.promoted':
      return message.data.eventId;
    default:
      return undefined;
  }
}

/**
 * The document after `message`, or undefined when the message changes nothing (an older
 * revision, a replay, or a message search ignores).
 */
export function applyMessage(
  current: SearchDocument | undefined,
  message: DomainMessage,
): SearchDocument | undefined {
  const id = eventIdOf(message);
  if (id === undefined) return undefined;
  const doc = current ?? emptyDocument(id);
  switch (message.type) {
    case 'event.created':
    case 'event.updated':
    case 'event.published':
    case 'event.cancelled': {
      const s = message.data;
      let next = doc;
      if (s.revision > doc.snapshotRevision)
        next = { ...next, event: fieldsOf(s), snapshotRevision: s.revision };
      if (s.revision > doc.countsRevision) {
        const counts = {
          capacity: s.capacity,
          confirmedCount: s.confirmedCount,
          waitlistCount: s.waitlistCount,
        };
        next = withCounts(next, counts, s.revision, message.occurredAt);
      }
      return next === doc ? undefined : next;
    }
    case 'registration.confirmed':
    case 'registration.waitlisted':
    case 'registration.cancelled':
    case 'registration.promoted': {
      const r = message.data;
      if (r.eventRevision <= doc.countsRevision) return undefined;
      const counts = {
        capacity: r.capacity,
        confirmedCount: r.confirmedCount,
        waitlistCount: r.waitlistCount,
      };
      return withCounts(doc, counts, r.eventRevision, message.occurredAt);
    }
    default:
      return undefined;
  }
}

/**
 * Joins two versions of one document part by part (the higher revision of each part wins).
 * Returns undefined when `incoming` adds nothing to `current`. Used when a bulk load meets a
 * document the live indexer already wrote.
 */
export function mergeDocuments(
  current: SearchDocument,
  incoming: SearchDocument,
): SearchDocument | undefined {
  let next = current;
  if (incoming.snapshotRevision > current.snapshotRevision)
    next = { ...next, event: incoming.event, snapshotRevision: incoming.snapshotRevision };
  if (incoming.countsRevision > current.countsRevision)
    next = {
      ...next,
      counts: incoming.counts,
      countsRevision: incoming.countsRevision,
      trend: incoming.trend,
    };
  return next === current ? undefined : next;
}

/** Searchable: published and not yet started. Drafts, cancelled and past events are kept, unseen. */
export function isSearchable(doc: SearchDocument, now: Date): boolean {
  return doc.event?.status === 'published' && Date.parse(doc.event.startsAt) > now.getTime();
}
