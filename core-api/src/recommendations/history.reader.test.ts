import { newId } from '@platform/kit';
import type { SqlDatabase } from '@platform/kit/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../testing/harness.js';
import { HistoryReader } from './history.reader.js';
import { plantWorld, type PlantedWorld } from './planted.fixture.js';

describe('HistoryReader', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let world: PlantedWorld;
  /** The real database, counting the queries sent to it. */
  let counted: SqlDatabase;
  let queries = 0;

  beforeAll(async () => {
    database = await freshDatabase('pglite');
    world = await plantWorld(database.sql, { peoplePerTopic: 3, eventsPerTopic: 8 });
    counted = Object.create(database.sql, {
      query: {
        value: (text: string, params?: unknown[]) => {
          queries++;
          return database.sql.query(text, params);
        },
      },
    }) as SqlDatabase;
  });
  afterAll(() => database.drop());

  it('reads the people asked for together in one query, each with their own events, newest first', async () => {
    const reader = new HistoryReader(counted);
    const people = world.people.slice(0, 6);
    const stranger = newId();
    queries = 0;
    const [histories, strangers] = await Promise.all([
      Promise.all(people.map((p) => reader.read(p.id))),
      // The same person twice in one batch, and someone with no registrations.
      Promise.all([reader.read(people[0]!.id), reader.read(stranger)]),
    ]);
    expect(queries).toBe(1);
    const { rows: expected } = await database.sql.query<{ user_id: string; event_id: string }>(
      `SELECT user_id, event_id FROM registrations WHERE user_id = ANY($1::uuid[])
       ORDER BY user_id, created_at DESC`,
      [people.map((p) => p.id)],
    );
    people.forEach((person, i) => {
      expect(histories[i]!.map((h) => h.event_id)).toEqual(
        expected.filter((r) => r.user_id === person.id).map((r) => r.event_id),
      );
      expect(new Set(histories[i]!.map((h) => h.event_id))).toEqual(new Set(person.registered));
      for (const h of histories[i]!) expect(h.title).toEqual(expect.any(String));
    });
    expect(strangers[0]).toEqual(histories[0]);
    expect(strangers[1]).toEqual([]);
  });

  it('splits a crowd into batches of at most maxBatchSize people', async () => {
    const reader = new HistoryReader(counted, { maxBatchSize: 4 });
    queries = 0;
    const histories = await Promise.all(world.people.slice(0, 10).map((p) => reader.read(p.id)));
    expect(queries).toBe(3);
    world.people
      .slice(0, 10)
      .forEach((person, i) =>
        expect(new Set(histories[i]!.map((h) => h.event_id))).toEqual(new Set(person.registered)),
      );
  });
});
