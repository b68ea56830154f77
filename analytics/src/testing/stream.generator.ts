import {
  topics,
  type DomainMessage,
  type ImpressionList,
  type Interaction,
} from '@platform/contracts';
import { pick, seededRandom } from '@platform/kit';

export interface GeneratedMessage {
  topic: string;
  key: string | null;
  value: Uint8Array;
  headers: Record<string, string>;
}

export interface StreamOptions {
  seed: number;
  interactions: number;
  events: number;
  users: number;
  /** Anonymous sessions, besides the signed-in users. */
  sessions: number;
  /** Event time of the first interaction, epoch ms. */
  start: number;
  /** Event-time step between consecutive interactions. */
  spacingMs: number;
  /** Out-of-order: each event time moves back by up to this much. */
  jitterMs: number;
  /** Share of interactions published twice (the second copy a few messages later). */
  duplicateRate: number;
  /** Share arriving 2 hours late: past the default allowed lateness. */
  veryLateRate: number;
  /** Share arriving 5 minutes late: inside the allowed lateness. */
  lateRate: number;
  /** Share of garbage messages (bad JSON, bad schema). */
  invalidRate: number;
  /** Registrations per event. */
  registrationsPerEvent: number;
  /** Share of interactions that start a burst: a client back online sending `burstSize`
   * interactions from 2 hours ago in a row (all past the default allowed lateness). */
  burstRate: number;
  burstSize: number;
  /** Share of impressions sent as an `impression-list` of 2 to 10 impressions seen at once (as
   * core-api records a list it served). */
  impressionListRate: number;
  /** Topic names; the platform's by default. */
  topics: { interactions: string; domain: string };
}

const defaults: StreamOptions = {
  seed: 1,
  interactions: 10_000,
  events: 30,
  users: 200,
  sessions: 300,
  start: Date.parse('2024-06-01T10:00:00Z'),
  spacingMs: 30,
  jitterMs: 20_000,
  duplicateRate: 0.01,
  veryLateRate: 0.005,
  lateRate: 0.01,
  invalidRate: 0.002,
  registrationsPerEvent: 5,
  burstRate: 0,
  burstSize: 50,
  impressionListRate: 0,
  topics: { interactions: topics.interactions, domain: topics.domain },
};

const categories = ['music', 'tech', 'sports', 'food', 'art'];
const surfaces = ['discover', 'recommendations', 'trending', 'similar', 'event'] as const;
const cities = ['Oslo', 'Bergen', 'Trondheim', 'Stavanger'];
const encoder = new TextEncoder();

/** A UUIDv7-shaped id from the seeded generator, with `time` as its timestamp. */
function uuidv7(random: () => number, time: number): string {
  const hex = (n: number) =>
    Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  const ts = Math.max(0, Math.floor(time)).toString(16).padStart(12, '0').slice(-12);
  const variant = '89ab'[Math.floor(random() * 4)]!;
  return `${ts.slice(0, 8)}-${ts.slice(8)}-7${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

export interface GeneratedStream {
  interactions: GeneratedMessage[];
  domain: GeneratedMessage[];
  events: { id: string; category: string; city: string; title: string }[];
}

const message = (topic: string, key: string | null, body: unknown): GeneratedMessage => ({
  topic,
  key,
  value: encoder.encode(typeof body === 'string' ? body : JSON.stringify(body)),
  headers: {},
});

/**
 * A reproducible stream for `interactions.v1` and `platform.domain.v1`: interactions of every
 * type by signed-in and anonymous people, out of order, with duplicates, late and too-late
 * records and some garbage; events (some changing category) and their registrations.
 */
export function generateStream(options: Partial<StreamOptions> = {}): GeneratedStream {
  const o = { ...defaults, ...options };
  const random = seededRandom(o.seed);
  const organizer = uuidv7(random, o.start);
  const users = Array.from({ length: o.users }, () => uuidv7(random, o.start));
  const sessions = Array.from(
    { length: o.users + o.sessions },
    (_, i) => `session-${o.seed}-${i.toString(36).padStart(6, '0')}`,
  );

  const domain: GeneratedMessage[] = [];
  const events = Array.from({ length: o.events }, (_, i) => ({
    id: uuidv7(random, o.start - 86_400_000),
    category: categories[i % categories.length]!,
    city: cities[i % cities.length]!,
    title: `Event ${i}`,
  }));
  const snapshot = (e: (typeof events)[number], revision: number, category: string) => ({
    id: e.id,
    organizerId: organizer,
    title: e.title,
    description: '',
    category,
    tags: [],
    startsAt: new Date(o.start + 7 * 86_400_000).toISOString(),
    endsAt: new Date(o.start + 7 * 86_400_000 + 7_200_000).toISOString(),
    venue: { name: 'Hall', city: e.city, lat: 59.9, lon: 10.7 },
    capacity: 100,
    confirmedCount: 0,
    waitlistCount: 0,
    status: 'published' as const,
    revision,
    publishedAt: new Date(o.start - 86_400_000).toISOString(),
  });
  const envelope = (
    type: DomainMessage['type'],
    at: number,
    aggregateId: string,
    data: unknown,
  ) => ({
    id: uuidv7(random, at),
    type,
    version: 1,
    occurredAt: new Date(at).toISOString(),
    aggregateId,
    data,
  });
  events.forEach((e, i) => {
    const created = o.start - 86_400_000;
    domain.push(
      message(
        o.topics.domain,
        e.id,
        envelope('event.created', created, e.id, snapshot(e, 1, 'draft-category')),
      ),
    );
    domain.push(
      message(
        o.topics.domain,
        e.id,
        envelope('event.published', created + 1000, e.id, snapshot(e, 2, e.category)),
      ),
    );
    // Every third event changes category later; the latest revision must win.
    if (i % 3 === 0) {
      e.category = categories[(i + 1) % categories.length]!;
      domain.push(
        message(
          o.topics.domain,
          e.id,
          envelope('event.updated', created + 2000, e.id, snapshot(e, 3, e.category)),
        ),
      );
    }
    for (let r = 0; r < o.registrationsPerEvent; r++) {
      const at = o.start + Math.floor(random() * o.interactions * o.spacingMs);
      const status = r % 4 === 3 ? 'waitlisted' : 'confirmed';
      const data = {
        registrationId: uuidv7(random, at),
        eventId: e.id,
        userId: users[(i * 7 + r) % users.length]!,
        status,
        position: status === 'waitlisted' ? 1 : null,
        capacity: 100,
        confirmedCount: r,
        waitlistCount: 0,
        eventRevision: 3 + r,
      };
      const m = message(
        o.topics.domain,
        e.id,
        envelope(`registration.${status}`, at, data.registrationId, data),
      );
      domain.push(m);
      if (random() < o.duplicateRate * 10) domain.push(m);
    }
  });
  domain.push(message(o.topics.domain, null, '{"type":"registration.confirmed","broken":true}'));

  const interactions: GeneratedMessage[] = [];
  const pendingDuplicates: { at: number; m: GeneratedMessage }[] = [];
  const types = [
    'impression',
    'impression',
    'impression',
    'view',
    'view',
    'click',
    'search',
    'share',
  ] as const;
  for (let i = 0; i < o.interactions; i++) {
    const receivedAt = o.start + i * o.spacingMs;
    let occurredAt = receivedAt - Math.floor(random() * o.jitterMs);
    const roll = random();
    if (roll < o.veryLateRate) occurredAt -= 2 * 3_600_000;
    else if (roll < o.veryLateRate + o.lateRate) occurredAt -= 5 * 60_000;
    const signedIn = random() < 0.6;
    const person = Math.floor(random() * (signedIn ? o.users : o.sessions));
    const burst = random() < o.burstRate ? o.burstSize : 0;
    const userId = signedIn ? users[person]! : null;
    const sessionId = sessions[signedIn ? person : o.users + person]!;
    const type = pick(random, types);
    const interaction: Interaction = {
      id: uuidv7(random, occurredAt),
      type,
      eventId: type === 'search' ? null : pick(random, events).id,
      query:
        type === 'search'
          ? pick(random, ['Jazz', 'jazz ', 'rock  concert', 'food', 'nothing here'])
          : null,
      position: type === 'search' ? null : Math.floor(random() * 20),
      resultCount: type === 'search' ? Math.floor(random() * 3) * 10 : null,
      // From the index, not the seeded generator, so the rest of the stream stays as it was.
      surface: type === 'search' ? 'search' : surfaces[i % surfaces.length]!,
      occurredAt: new Date(occurredAt).toISOString(),
      receivedAt: new Date(receivedAt).toISOString(),
      sessionId,
      userId,
    };
    // Drawn only when lists are asked for, so streams without them stay as they were.
    const listSize =
      type === 'impression' && o.impressionListRate > 0 && random() < o.impressionListRate
        ? 2 + Math.floor(random() * 9)
        : 0;
    let body: Interaction | ImpressionList = interaction;
    if (listSize > 0) {
      const { id, eventId, position, type: _type, ...shared } = interaction;
      body = {
        ...shared,
        type: 'impression-list',
        surface: shared.surface ?? null,
        items: [
          { id, eventId: eventId!, position },
          ...Array.from({ length: listSize - 1 }, (_, k) => ({
            id: uuidv7(random, occurredAt),
            eventId: pick(random, events).id,
            position: (position ?? 0) + k + 1,
          })),
        ],
      };
    }
    const m = message(o.topics.interactions, userId ?? sessionId, body);
    interactions.push(m);
    for (let b = 0; b < burst; b++) {
      const old = receivedAt - 2 * 3_600_000 + b * 1000;
      interactions.push(
        message(o.topics.interactions, userId ?? sessionId, {
          ...interaction,
          id: uuidv7(random, old),
          occurredAt: new Date(old).toISOString(),
        }),
      );
    }
    if (random() < o.duplicateRate) {
      pendingDuplicates.push({ at: i + 1 + Math.floor(random() * 50), m });
      pendingDuplicates.sort((a, b) => a.at - b.at);
    }
    while (pendingDuplicates.length && pendingDuplicates[0]!.at <= i) {
      interactions.push(pendingDuplicates.shift()!.m);
    }
    if (random() < o.invalidRate) {
      interactions.push(
        random() < 0.5
          ? message(o.topics.interactions, sessionId, '{"id": not json')
          : message(o.topics.interactions, sessionId, { ...interaction, type: 'teleport' }),
      );
    }
  }
  for (const d of pendingDuplicates) interactions.push(d.m);
  return { interactions, domain, events };
}
