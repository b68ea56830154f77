import { createLogger, createMetricsRegistry, newId } from '@platform/kit';
import { createMemoryLog } from '@platform/kit/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingSql } from '../testing/counting-sql.js';
import { freshDatabase } from '../testing/harness.js';
import { plantWorld, type PlantedWorld } from './planted.fixture.js';
import { RecommendationEngine } from './recommendation.engine.js';

describe('RecommendationEngine histories', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let world: PlantedWorld;
  /** History reads sent to the database. */
  let counted: ReturnType<typeof countingSql>;
  let clock = Date.now();
  let engine: RecommendationEngine;

  beforeAll(async () => {
    database = await freshDatabase('pglite');
    world = await plantWorld(database.sql, { peoplePerTopic: 10, eventsPerTopic: 10 });
    counted = countingSql(database.sql, (text) =>
      text.includes('FROM registrations r JOIN events e'),
    );
    engine = new RecommendationEngine({
      sql: counted.sql,
      log: createMemoryLog({ partitions: 1 }),
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics: createMetricsRegistry('engine_test'),
      now: () => new Date(clock),
      options: { historyRefreshMs: 1_000, historyTtlMs: 60_000 },
    });
    await engine.start();
  });
  afterAll(async () => {
    await engine.stop();
    await database.drop();
  });

  const listed = async (userId: string) =>
    (await engine.recommend(userId, { limit: 10 })).items.map((i) => i.event.id);

  it('reads a kept history again once it is old, answering from it meanwhile', async () => {
    const person = world.people[0]!;
    const first = await listed(person.id);
    expect(counted.queries).toBe(1);
    for (const id of first) expect(person.registered).not.toContain(id);

    // A registration nothing announced (no message reaches this instance).
    const top = first[0]!;
    await database.sql.query(
      `INSERT INTO registrations (id, event_id, user_id, status) VALUES ($1, $2, $3, 'confirmed')`,
      [newId(), top, person.id],
    );
    // Younger than half the refresh age: kept as it is.
    clock += 400;
    expect(await listed(person.id)).toContain(top);
    expect(counted.queries).toBe(1);

    // Old enough: this answer still comes from the kept history, and starts a read.
    clock += 1_000;
    expect(await listed(person.id)).toContain(top);
    await expect.poll(() => counted.queries).toBe(2);
    await expect.poll(async () => listed(person.id)).not.toContain(top);
    expect(counted.queries).toBe(2);
  });

  it('spreads the background reads of histories read together over the second half of the refresh age', async () => {
    const people = world.people.slice(1);
    // Each person in a turn of their own, the background read settled before the next: one
    // history query per person read.
    const askEach = async () => {
      const before = counted.queries;
      for (const p of people) {
        await listed(p.id);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      return counted.queries - before;
    };
    clock += 100_000;
    expect(await askEach()).toBe(people.length);
    // Three quarters of the refresh age later, each kept history is due or not by its own draw
    // (all of them on one side: about 2 in 10^12).
    clock += 750;
    const due = await askEach();
    expect(due).toBeGreaterThan(0);
    expect(due).toBeLessThan(people.length);
    // By the full refresh age every one not read again just now is due.
    clock += 250;
    expect(await askEach()).toBe(people.length - due);
  });
});
