import { newId } from '@platform/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingSql } from '../testing/counting-sql.js';
import { freshDatabase } from '../testing/harness.js';
import { HistoryReader } from './history.reader.js';
import { plantWorld, type PlantedWorld } from './planted.fixture.js';

describe('HistoryReader', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let world: PlantedWorld;
  let counted: ReturnType<typeof countingSql>;

  beforeAll(async () => {
    database = await freshDatabase('pglite');
    world = await plantWorld(database.sql, { peoplePerTopic: 3, eventsPerTopic: 8 });
    counted = countingSql(database.sql);
  });
  afterAll(() => database.drop());

  it('reads the people asked for together in one query, each with their own events, newest first', async () => {
    const reader = new HistoryReader(counted.sql);
    const people = world.people.slice(0, 6);
    const stranger = newId();
    counted.reset();
    const [histories, strangers] = await Promise.all([
      Promise.all(people.map((p) => reader.read(p.id))),
      // The same person twice in one batch, and someone with no registrations.
      Promise.all([reader.read(people[0]!.id), reader.read(stranger)]),
    ]);
    expect(counted.queries).toBe(1);
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
    const reader = new HistoryReader(counted.sql, { maxBatchSize: 4 });
    counted.reset();
    const histories = await Promise.all(world.people.slice(0, 10).map((p) => reader.read(p.id)));
    expect(counted.queries).toBe(3);
    world.people
      .slice(0, 10)
      .forEach((person, i) =>
        expect(new Set(histories[i]!.map((h) => h.event_id))).toEqual(new Set(person.registered)),
      );
  });
});
