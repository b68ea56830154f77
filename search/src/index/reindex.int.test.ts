import { randomBytes } from 'node:crypto';
import { domainMessageSchema } from '@platform/contracts';
import { freshDatabase } from '@platform/core-api/testing';
import { localDefaults, newId } from '@platform/kit';
import type { SqlDatabase } from '@platform/kit/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSource } from './event-mapping.js';
import { createElasticClient } from './elastic.client.js';
import { ElasticSearchIndex } from './elastic.index.js';
import { aliasTargets, deleteOtherVersions, writeAliasOf } from './index-versions.js';
import { reindex, type ReindexProgress } from './reindex.js';

const client = createElasticClient(process.env.ELASTICSEARCH_URL ?? localDefaults.elasticsearchUrl);
const alias = `test-reindex-${randomBytes(4).toString('hex')}`;
const DAY = 86_400_000;
const EVENTS = 3_000;

describe('reindex from PostgreSQL (real PostgreSQL and Elasticsearch)', () => {
  let database: { sql: SqlDatabase; drop: () => Promise<void> };
  const organizer = newId();
  const cancelled = newId();
  const past = newId();
  const draft = newId();
  const trending = newId();
  const index = new ElasticSearchIndex({ client, alias, writeTargetsTtlMs: 200 });
  const options = () => ({
    sql: database.sql,
    client,
    alias,
    pageSize: 500,
    settleMs: 500,
    deleteGraceMs: 500,
  });

  const publishedMessage = (id: string, title: string) =>
    domainMessageSchema.parse({
      id: newId(),
      type: 'event.published',
      version: 1,
      occurredAt: new Date().toISOString(),
      aggregateId: id,
      data: {
        id,
        organizerId: organizer,
        title,
        description: '',
        category: 'sport',
        tags: [],
        startsAt: new Date(Date.now() + 5 * DAY).toISOString(),
        endsAt: new Date(Date.now() + 5 * DAY + 3_600_000).toISOString(),
        venue: { name: 'Port', city: 'Marseille', lat: 43.3, lon: 5.37 },
        capacity: 10,
        confirmedCount: 0,
        waitlistCount: 0,
        status: 'published',
        revision: 2,
        publishedAt: new Date().toISOString(),
      },
    });

  beforeAll(async () => {
    database = await freshDatabase('postgres');
    const { sql } = database;
    const people = [organizer, ...Array.from({ length: 5 }, () => newId())];
    await sql.query(
      `INSERT INTO users (id, email, name, password_hash)
       SELECT id, id || '@example.com', 'Person', 'unused' FROM unnest($1::uuid[]) AS id`,
      [people],
    );
    const ids = Array.from({ length: EVENTS }, () => newId());
    ids.splice(0, 4, cancelled, past, draft, trending);
    const now = Date.now();
    await sql.query(
      `INSERT INTO events (id, organizer_id, title, description, category, tags, starts_at,
         ends_at, venue_name, city, lat, lon, capacity, status, revision, published_at)
       SELECT e.id, $2, e.title, 'Run with us.', 'sport', '{running}', e.starts_at,
         e.starts_at + interval '3 hours', 'Parc', 'Lyon', 45.76, 4.83, 100, e.status, 2, now()
       FROM unnest($1::uuid[], $3::text[], $4::timestamptz[], $5::text[])
         AS e(id, title, starts_at, status)`,
      [
        ids,
        organizer,
        ids.map((_, i) => (i % 3 === 0 ? `City marathon ${i}` : `Trail run ${i}`)),
        ids.map((id, i) => new Date(now + (id === past ? -DAY : (1 + (i % 60)) * DAY))),
        ids.map((id) => (id === cancelled ? 'cancelled' : id === draft ? 'draft' : 'published')),
      ],
    );
    // Recent registrations for one event: its trend is rebuilt from them.
    await sql.query(
      `INSERT INTO registrations (id, event_id, user_id, status, created_at)
       SELECT gen_random_uuid(), $1, u, 'confirmed', now() - interval '1 hour'
       FROM unnest($2::uuid[]) AS u`,
      [trending, people.slice(1)],
    );
    await sql.query(`UPDATE events SET confirmed_count = 5, revision = 3 WHERE id = $1`, [
      trending,
    ]);
  });

  afterAll(async () => {
    await deleteOtherVersions(client, alias, undefined);
    await database?.drop();
  });

  it('builds the first version with only searchable events found, and progress reported', async () => {
    const progress: ReindexProgress[] = [];
    const result = await reindex({ ...options(), onProgress: (p) => progress.push(p) });
    // Every event that has not started is loaded (drafts and cancelled as unsearchable).
    expect(result.documents).toBe(EVENTS - 1);
    // Pages of 500, two bulk requests in flight: counts rise page by page to the total.
    const loaded = progress.map((p) => p.loaded);
    expect(loaded).toHaveLength(6);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(loaded.at(-1)).toBe(EVENTS - 1);
    expect(progress.every((p) => p.total === EVENTS - 1)).toBe(true);
    expect(await aliasTargets(client, alias)).toEqual([result.index]);
    expect(await aliasTargets(client, writeAliasOf(alias))).toEqual([result.index]);

    const marathons = await index.search({ q: 'marathon', limit: 50 });
    // Every third title is a marathon; the first one is the cancelled event.
    expect(marathons.total).toBe(EVENTS / 3 - 1);
    // Every description says "Run with us": all but the cancelled, past and draft events.
    const all = await index.search({ q: 'run', limit: 50 });
    expect(all.total).toBe(EVENTS - 3);
    for (const hidden of [cancelled, past, draft])
      expect(
        (await client.get<EventSource>({ index: alias, id: hidden }, { ignore: [404] })).found,
      ).toBe(hidden !== past);
    const trend = (await client.get<EventSource>({ index: alias, id: trending }))._source!.doc
      .trend;
    expect(trend?.value).toBeCloseTo(5, 5);
  });

  it('swaps in a rebuilt version while searches run, never answering empty, keeping live writes', async () => {
    const before = await aliasTargets(client, alias);
    await database.sql.query(
      `UPDATE events SET title = 'Night marathon', revision = revision + 1
       WHERE id = (SELECT id FROM events WHERE title = 'Trail run 5')`,
    );

    let searching = true;
    const totals: number[] = [];
    const searches = (async () => {
      while (searching) totals.push((await index.search({ q: 'marathon', limit: 5 })).total);
    })();

    // An indexer that resolved its write targets before the reindex and keeps them for a minute.
    const slowToNotice = new ElasticSearchIndex({ client, alias, writeTargetsTtlMs: 60_000 });
    expect(await slowToNotice.apply(publishedMessage(newId(), 'Canal regatta'))).toBe('applied');

    // A change applied while the new version loads must be in it after the swap.
    const live = newId();
    let applied: Promise<unknown> | undefined;
    const result = await reindex({
      ...options(),
      onProgress: () => {
        applied ??= index.apply(publishedMessage(live, 'Harbour marathon'));
      },
    });
    await applied;
    searching = false;
    await searches;

    expect(totals.length).toBeGreaterThan(20);
    expect(Math.min(...totals)).toBeGreaterThan(0);
    expect(result.deleted).toEqual(before);
    expect(await aliasTargets(client, alias)).toEqual([result.index]);
    await index.refresh();
    const after = await index.search({ q: 'marathon', limit: 50 });
    expect(after.total).toBe(totals[0]! + 2);
    expect((await index.search({ q: 'harbour', limit: 5 })).hits.map((h) => h.eventId)).toEqual([
      live,
    ]);

    // Its cached targets name the deleted version: it must find the new one, not recreate the old.
    const late = newId();
    expect(await slowToNotice.apply(publishedMessage(late, 'Lagoon marathon'))).toBe('applied');
    await index.refresh();
    expect((await index.search({ q: 'lagoon', limit: 5 })).hits.map((h) => h.eventId)).toEqual([
      late,
    ]);
    const versions = await client.indices.get({ index: `${alias}-v*` });
    expect(Object.keys(versions)).toEqual([result.index]);
  });
});
