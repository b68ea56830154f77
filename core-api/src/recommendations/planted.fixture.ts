import { newId, seededRandom } from '@platform/kit';
import type { SqlDatabase } from '@platform/kit/sql';

/** Four tastes, each with its own category, city and vocabulary. */
export const TOPICS = [
  { category: 'music', city: 'Lyon', words: ['jazz', 'quartet', 'saxophone', 'concert', 'swing'] },
  {
    category: 'tech',
    city: 'Paris',
    words: ['typescript', 'compiler', 'meetup', 'rust', 'kernel'],
  },
  { category: 'food', city: 'Nantes', words: ['cheese', 'wine', 'tasting', 'bakery', 'market'] },
  { category: 'sport', city: 'Lille', words: ['marathon', 'cycling', 'trail', 'climbing', 'yoga'] },
] as const;

export interface PlantedWorld {
  readonly organizerId: string;
  /** Event ids per topic index. */
  readonly events: string[][];
  /** People per topic index, each registered for several events of their topic. */
  readonly people: { id: string; topic: number; registered: string[] }[];
}

/**
 * A world with planted taste: every person registers for events of one topic only (plus one
 * random event), inserted straight into the tables (fast; the registration rules are tested
 * elsewhere). Deterministic for a seed.
 */
export async function plantWorld(
  sql: SqlDatabase,
  options: {
    peoplePerTopic?: number;
    eventsPerTopic?: number;
    perPerson?: number;
    seed?: number;
  } = {},
): Promise<PlantedWorld> {
  const { peoplePerTopic = 20, eventsPerTopic = 12, perPerson = 5, seed = 7 } = options;
  const random = seededRandom(seed);
  const organizerId = newId();
  await sql.query(
    `INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'Organizer', 'x')`,
    [organizerId, `organizer-${organizerId}@example.com`],
  );
  const events: string[][] = [];
  const day = 86_400_000;
  for (let t = 0; t < TOPICS.length; t++) {
    const ids: string[] = [];
    for (let e = 0; e < eventsPerTopic; e++) {
      const id = await insertTopicEvent(
        sql,
        organizerId,
        t,
        e,
        (2 + ((t * eventsPerTopic + e) % 20)) * day,
      );
      ids.push(id);
    }
    events.push(ids);
  }
  const all = events.flat();
  const people: PlantedWorld['people'] = [];
  for (let t = 0; t < TOPICS.length; t++) {
    for (let p = 0; p < peoplePerTopic; p++) {
      const id = newId();
      await sql.query(
        `INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'Person', 'x')`,
        [id, `planted-${id}@example.com`],
      );
      // The random one first, so each person's latest registrations (the holdout) are on topic.
      const mine = new Set<string>([all[Math.floor(random() * all.length)]!]);
      while (mine.size < perPerson + 1) {
        mine.add(events[t]![Math.floor(random() * eventsPerTopic)]!);
      }
      const registered = [...mine];
      for (const [i, eventId] of registered.entries()) {
        await sql.query(
          `INSERT INTO registrations (id, event_id, user_id, status, created_at)
           VALUES ($1, $2, $3, 'confirmed', now() - make_interval(hours => $4))`,
          [newId(), eventId, id, registered.length - i],
        );
      }
      people.push({ id, topic: t, registered });
    }
  }
  await sql.query(
    `UPDATE events e SET confirmed_count = c.n, updated_at = now()
     FROM (SELECT event_id, count(*)::int AS n FROM registrations GROUP BY event_id) c
     WHERE c.event_id = e.id`,
  );
  return { organizerId, events, people };
}

/** A published event of topic `t`, its text made of the topic's words, starting `inMs` from now. */
export async function insertTopicEvent(
  sql: SqlDatabase,
  organizerId: string,
  t: number,
  n: number,
  inMs: number,
): Promise<string> {
  const id = newId();
  const topic = TOPICS[t]!;
  const w = topic.words;
  const title = `${w[n % w.length]} ${w[(n + 1) % w.length]} night ${n + 1}`;
  const starts = new Date(Date.now() + inMs);
  await sql.query(
    `INSERT INTO events (id, organizer_id, title, description, category, tags, starts_at, ends_at,
       venue_name, city, lat, lon, capacity, status, published_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'Hall', $9, 45, 4, 1000, 'published', now())`,
    [
      id,
      organizerId,
      title,
      `An evening of ${w.join(', ')}.`,
      topic.category,
      [w[0], w[2]],
      starts,
      new Date(starts.getTime() + 3_600_000),
      topic.city,
    ],
  );
  return id;
}
