import { newId } from '@platform/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingSql } from '../testing/counting-sql.js';
import { freshDatabase } from '../testing/harness.js';
import { insertTopicEvent, plantWorld } from './planted.fixture.js';
import { ServingCatalogue, TREND_STEP } from './serving.catalogue.js';

/** Turns of the event loop (check phases) while `work` runs. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  running = false;
  return turns;
}

describe('ServingCatalogue.refresh', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  /** The real database, counting the whole event rows queries bring back. */
  let counted: ReturnType<typeof countingSql>;
  let clock = Date.now();
  let organizerId: string;
  let people: string[];

  beforeAll(async () => {
    database = await freshDatabase('pglite');
    const world = await plantWorld(database.sql, { peoplePerTopic: 2, eventsPerTopic: 10 });
    organizerId = world.organizerId;
    people = world.people.map((p) => p.id);
    counted = countingSql(database.sql, (text) => text.includes('SELECT * FROM events'));
  });
  afterAll(() => database.drop());

  const setUpdatedAt = (id: string, at: number) =>
    database.sql.query(`UPDATE events SET updated_at = $2, revision = revision + 1 WHERE id = $1`, [
      id,
      new Date(at),
    ]);

  it('loads every recommendable event, then reads again only the rows that may be new', async () => {
    const catalogue = new ServingCatalogue({ sql: counted.sql, now: () => new Date(clock) });
    const first = await catalogue.refresh();
    expect(catalogue.size).toBe(40);
    expect(first.upserted).toHaveLength(40);

    // Seconds later, every row of the bulk load is still inside the overlap: only their
    // revisions are read again, and nothing is applied.
    clock += 2_000;
    counted.reset();
    expect((await catalogue.refresh()).upserted).toHaveLength(0);
    expect(counted.rows).toBe(0);

    // A row of it that changes is read whole and applied.
    const [changed] = [...catalogue.values()];
    await setUpdatedAt(changed!.id, clock - 1_000);
    clock += 2_000;
    counted.reset();
    expect((await catalogue.refresh()).upserted.map((e) => e.id)).toEqual([changed!.id]);
    expect(counted.rows).toBe(1);

    // Once a refresh has run more than the overlap after the bulk load, those rows were
    // certainly visible to it: they are not read again on every refresh after.
    clock += 60_000;
    await catalogue.refresh();
    clock += 5_000;
    counted.reset();
    expect((await catalogue.refresh()).upserted).toHaveLength(0);
    expect(counted.rows).toBe(0);
  });

  it('still picks up a change that commits late with a time just before the last read', async () => {
    const catalogue = new ServingCatalogue({ sql: counted.sql, now: () => new Date(clock) });
    await catalogue.refresh();
    clock += 60_000;
    await catalogue.refresh();
    const added = await insertTopicEvent(database.sql, organizerId, 0, 99, 5 * 86_400_000);
    // Stamped 3 s before the previous read began (a transaction that waited on a lock).
    await setUpdatedAt(added, clock - 3_000);
    clock += 5_000;
    const { upserted } = await catalogue.refresh();
    expect(upserted.map((e) => e.id)).toEqual([added]);
    expect(catalogue.get(added)?.title).toContain('night 100');
  });

  it('walks every recommendable event in trend order, and picks its trending head from it', async () => {
    // More events than the order's sorted head holds, starting over the next 90 days.
    await database.sql.query(
      `INSERT INTO events (id, organizer_id, title, description, category, tags, starts_at, ends_at,
         venue_name, city, lat, lon, capacity, status, published_at)
       SELECT gen_random_uuid(), $1, 'Bulk ' || n, 'Generated', 'music', '{}',
         now() + make_interval(hours => 1 + (n * 7919) % 2160),
         now() + make_interval(hours => 2 + (n * 7919) % 2160),
         'Hall', 'Lyon', 45, 4, 100, 'published', now()
       FROM generate_series(1, 1500) AS n`,
      [organizerId],
    );
    const catalogue = new ServingCatalogue({ sql: database.sql });
    await catalogue.refresh();
    const now = Date.now();
    const walked: string[] = [];
    catalogue.walkTrend(now, (entry) => {
      walked.push(entry.id);
      return true;
    });
    expect(walked.sort()).toEqual([...catalogue.values()].map((e) => e.id).sort());
    const [first, second, ...rest] = catalogue.trendingIds(12, new Set(), now);
    expect(catalogue.trendingIds(10, new Set([first!, second!]), now)).toEqual(rest);
  });

  it('applies trend changes that could move a ranking, not the drift of decay', async () => {
    let at = Date.now();
    const catalogue = new ServingCatalogue({ sql: database.sql, now: () => new Date(at) });
    await catalogue.refresh();
    const first = await catalogue.refreshTrend();
    expect(first.length).toBeGreaterThan(0);
    // A minute later the same registrations have decayed, by less than a ranking notices.
    at += 60_000;
    expect(await catalogue.refreshTrend()).toEqual([]);
    // Five new registrations for the least popular event move it.
    const quiet = [...catalogue.values()].sort((a, b) => a.trend - b.trend)[0]!;
    expect(catalogue.trendingIds(1, new Set(), at)).not.toEqual([quiet.id]);
    for (const person of people.slice(0, 5)) {
      await database.sql.query(
        `INSERT INTO registrations (id, event_id, user_id, status, created_at)
         VALUES ($1, $2, $3, 'confirmed', $4)
         ON CONFLICT DO NOTHING`,
        [newId(), quiet.id, person, new Date(at)],
      );
    }
    const moved = await catalogue.refreshTrend();
    expect(moved.map((e) => e.id)).toContain(quiet.id);
    expect(catalogue.get(quiet.id)!.trend).toBeGreaterThan(quiet.trend + TREND_STEP);
    // Now the most popular: the trend order was rebuilt.
    expect(catalogue.trendingIds(1, new Set(), at)).toEqual([quiet.id]);
    // A change to its row (a new count, say) keeps its score until the next trend refresh.
    const scored = catalogue.get(quiet.id)!.trend;
    // (stamped past every clock of the tests before: the refresh reads from its watermark on)
    await setUpdatedAt(quiet.id, Date.now() + 3_600_000);
    at += 5_000;
    expect((await catalogue.refresh()).upserted.map((e) => e.id)).toEqual([quiet.id]);
    expect(catalogue.get(quiet.id)!.trend).toBe(scored);
  });

  it('computes the week in slices, letting the event loop turn between them', async () => {
    const at = Date.now();
    const whole = new ServingCatalogue({ sql: database.sql, now: () => new Date(at) });
    const sliced = new ServingCatalogue({
      sql: database.sql,
      now: () => new Date(at),
      trendSlice: 5,
    });
    await whole.refresh();
    await sliced.refresh();
    const turnsWhole = await turnsDuring(() => whole.refreshTrend());
    const turnsSliced = await turnsDuring(() => sliced.refreshTrend());
    // Every entry is visited once (and every scored event once more): a pause every 5.
    expect(turnsSliced - turnsWhole).toBeGreaterThanOrEqual(Math.floor(sliced.size / 5));
    // The same scores either way.
    const scores = (c: ServingCatalogue) =>
      Object.fromEntries([...c.values()].map((e) => [e.id, e.trend]));
    expect(scores(sliced)).toEqual(scores(whole));
    expect(Object.values(scores(sliced)).some((t) => t > 0)).toBe(true);
  });
});
