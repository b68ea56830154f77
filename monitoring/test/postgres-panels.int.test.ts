import {
  futureEvent,
  startTestApi,
  TestClient,
  uniqueEmail,
  type TestApi,
} from '@platform/core-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelQueries, readDashboardFiles } from './dashboard-files.js';
import { expandPostgresQuery, type QueryContext } from './grafana-queries.js';

/**
 * Every PostgreSQL panel query, expanded as Grafana's PostgreSQL datasource does, runs on the
 * real PostgreSQL against a fresh database with core-api's migrations, seeded through the API
 * (an event with a waitlist) and with model registry rows, and returns rows.
 */
const queries = panelQueries(readDashboardFiles()).filter((q) => q.datasource === 'postgres');

const offline = (ndcg10: number) => ({
  ndcg10,
  recall10: ndcg10 * 1.5,
  map10: ndcg10 / 2,
  coverage: 0.4,
});

describe('dashboard PostgreSQL queries on PostgreSQL', () => {
  let api: TestApi;
  const now = Date.now();
  const ctx: QueryContext = {
    from: new Date(now - 30 * 86_400_000),
    to: new Date(now + 60_000),
    intervalMs: 3_600_000,
    variables: {},
  };

  beforeAll(async () => {
    api = await startTestApi('postgres');
    // An upcoming event with one seat and two people: one confirmed, one waiting.
    const organizer = new TestClient(api.base);
    await organizer.signUp(uniqueEmail('organizer'));
    const created = await organizer.post('/v1/events', futureEvent({ capacity: 1 }));
    await organizer.post(`/v1/events/${created.body.id}/publish`);
    for (const who of ['first', 'second']) {
      const person = new TestClient(api.base);
      await person.signUp(uniqueEmail(who));
      expect((await person.post(`/v1/events/${created.body.id}/registrations`)).status).toBe(201);
    }

    const day = 86_400_000;
    const runs = [
      {
        version: 1,
        status: 'retired',
        metrics: { candidate: offline(0.3), popularity: offline(0.2), live: null },
        at: now - 3 * day,
      },
      {
        version: 2,
        status: 'live',
        metrics: { candidate: offline(0.35), popularity: offline(0.2), live: offline(0.3) },
        at: now - 2 * day,
      },
      {
        version: 3,
        status: 'rejected',
        metrics: { candidate: offline(0.33), popularity: offline(0.21), live: offline(0.35) },
        at: now - day,
      },
      { version: 4, status: 'failed', metrics: null, at: now - 3_600_000 },
    ];
    for (const r of runs) {
      await api.sql.query(
        `INSERT INTO ml_models (version, status, algorithm, metrics, users, items, interactions,
           train_seconds, reason, created_at, promoted_at)
         VALUES ($1, $2, 'als', $3, 80, 300, 1500, $4, $5, $6, $7)`,
        [
          r.version,
          r.status,
          r.metrics === null ? null : JSON.stringify(r.metrics),
          r.metrics === null ? null : 42.5,
          r.status === 'failed' ? 'out of memory' : null,
          new Date(r.at),
          r.status === 'live' ? new Date(r.at + 60_000) : null,
        ],
      );
    }
  }, 120_000);
  afterAll(() => api?.close());

  it('has PostgreSQL panels on the Business and ML dashboards', () => {
    expect(new Set(queries.map((q) => q.dashboard))).toEqual(
      new Set(['platform-business', 'platform-ml']),
    );
  });

  it.each(queries)('$dashboard / $panel ($refId) returns rows', async (q) => {
    const sql = expandPostgresQuery(q.query, ctx);
    const { rows } = await api.sql.query<Record<string, unknown>>(sql);
    expect(rows.length, sql).toBeGreaterThan(0);
    if (q.timeSeries) {
      expect(Object.keys(rows[0]!)[0]).toBe('time');
      expect(rows.length).toBeGreaterThan(1);
    }
  });
});
