import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  freshDatabase,
  futureEvent,
  plantWorld,
  TestClient,
  uniqueEmail,
} from '@platform/core-api/testing';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelQueries, readDashboardFiles } from './dashboard-files.js';
import { expandPromQl, type QueryContext } from './grafana-queries.js';
import { portInUse, startService, type ServiceProcess } from './service-processes.js';

/**
 * The five service processes run on their default ports 8080-8084 against the shared servers,
 * so the Prometheus that `npm run services:up` started (prometheus.local.yml) scrapes them. After
 * a little traffic (registrations, a cancellation with a waitlist promotion, interactions with a
 * surface, a too-late interaction that becomes a dead letter, searches with and without
 * results), every dashboard PromQL expression, with Grafana's interval variables substituted,
 * evaluates on that Prometheus without error and returns series, and every recording and alert
 * rule expression evaluates without error.
 */
const prometheus = process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090';
const scrapeIntervalMs = 5_000;
const jobs = { 'core-api': 8080, bridge: 8081, analytics: 8082, search: 8083, ml: 8084 };

/*
 * LEAD: panels of the ML dashboard whose series come from work merged from main (the trainer's
 * runs, durations and offline metrics in ml; model serving and swaps in core-api). Until then
 * their expressions must evaluate without error but may return no series; the test reports
 * them. Empty this list after merging, so their series are required like every other panel's.
 */

const queries = panelQueries(readDashboardFiles()).filter((q) => q.datasource === 'prometheus');

const rulesDir = fileURLToPath(new URL('../prometheus/rules/', import.meta.url));
const rules = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.rules.yml'))
  .flatMap((file) =>
    (
      parse(readFileSync(rulesDir + file, 'utf8')) as {
        groups: { rules: { record?: string; alert?: string; expr: string }[] }[];
      }
    ).groups.flatMap((g) =>
      g.rules.map((r) => ({ name: (r.record ?? r.alert)!, expr: r.expr.replace(/\s+/g, ' ') })),
    ),
  );

async function promQuery(expr: string): Promise<{ error?: string; series: number }> {
  const res = await fetch(`${prometheus}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: unknown[] | [number, string] };
  };
  if (body.status !== 'success') return { error: body.error ?? `HTTP ${res.status}`, series: 0 };
  const result = body.data!.result;
  return { series: body.data!.resultType === 'scalar' ? 1 : (result as unknown[]).length };
}

describe('dashboard and rule PromQL on the shared Prometheus', () => {
  const run = randomBytes(4).toString('hex');
  const started = new Date();
  const services: ServiceProcess[] = [];
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const clickhouseDatabase = `monitoring_promql_${run}`;
  const searchAlias = `monitoring-promql-${run}`;
  let ctx: QueryContext;

  beforeAll(async () => {
    const busy = [];
    for (const [name, port] of Object.entries(jobs))
      if (await portInUse(port)) busy.push(`${name} :${port}`);
    if (busy.length > 0)
      throw new Error(
        `ports Prometheus scrapes are taken (${busy.join(', ')}): stop what runs there`,
      );
    const targets = (await fetch(`${prometheus}/api/v1/targets`).then((r) => r.json())) as {
      data: { activeTargets: { labels: { job: string } }[] };
    };
    const scraped = new Set(targets.data.activeTargets.map((t) => t.labels.job));
    for (const job of Object.keys(jobs))
      expect(scraped, `Prometheus does not scrape ${job}`).toContain(job);

    database = await freshDatabase('postgres');
    // People with tastes to learn, so the trainer's first run promotes a model and every ML
    // series (runs, stage durations, offline metrics, swaps) has a value.
    await plantWorld(database.sql, { peoplePerTopic: 12 });
    const common = { RATE_LIMIT: 'off' };
    services.push(
      await startService('core-api', 8080, {
        ...common,
        DATABASE_URL: database.url!,
        JWT_SECRET: randomBytes(32).toString('hex'),
        CLICKHOUSE_DATABASE: clickhouseDatabase,
        COOKIE_SECURE: 'false',
      }),
      await startService('bridge', 8081, common),
      await startService('analytics', 8082, { CLICKHOUSE_DATABASE: clickhouseDatabase }),
      await startService('search', 8083, { SEARCH_INDEX_ALIAS: searchAlias }),
      await startService('ml', 8084, {
        DATABASE_URL: database.url!,
        CLICKHOUSE_DATABASE: clickhouseDatabase,
        ML_ITERATIONS: '5',
      }),
    );

    // Traffic: one seat, two people (confirmed, waitlisted), a repeat, a cancellation that
    // promotes the second person.
    const api = 'http://127.0.0.1:8080';
    const organizer = new TestClient(api);
    await organizer.signUp(uniqueEmail('organizer'));
    const event = (
      await organizer.post(
        '/v1/events',
        futureEvent({ capacity: 1, title: `Metrics night ${run}` }),
      )
    ).body as { id: string };
    await organizer.post(`/v1/events/${event.id}/publish`);
    const [first, second] = [new TestClient(api), new TestClient(api)];
    await first.signUp(uniqueEmail('first'));
    await second.signUp(uniqueEmail('second'));
    expect((await first.post(`/v1/events/${event.id}/registrations`)).status).toBe(201);
    expect((await second.post(`/v1/events/${event.id}/registrations`)).status).toBe(201);
    expect((await second.post(`/v1/events/${event.id}/registrations`)).status).toBe(200);
    expect((await first.delete(`/v1/events/${event.id}/registrations/me`)).status).toBe(200);

    // Interactions: recommendations shown and clicked; one from two hours ago after a current
    // one of the same session (same partition), which analytics finds too late: a dead letter.
    const now = Date.now();
    const sessionId = `promql-${run}`;
    const at = (ms: number) => new Date(ms).toISOString();
    const ingest = await new TestClient(api).post('/v1/interactions', {
      interactions: [
        {
          type: 'impression',
          eventId: event.id,
          surface: 'recommendations',
          position: 0,
          occurredAt: at(now),
          sessionId,
        },
        {
          type: 'impression',
          eventId: event.id,
          surface: 'recommendations',
          position: 1,
          occurredAt: at(now),
          sessionId,
        },
        {
          type: 'click',
          eventId: event.id,
          surface: 'recommendations',
          position: 0,
          occurredAt: at(now),
          sessionId,
        },
        { type: 'view', eventId: event.id, surface: 'event', occurredAt: at(now), sessionId },
        {
          type: 'view',
          eventId: event.id,
          surface: 'event',
          occurredAt: at(now - 2 * 3_600_000),
          sessionId,
        },
      ],
    });
    expect(ingest.status).toBe(202);
    const refused = await new TestClient(api).post('/v1/interactions', {
      interactions: [
        { type: 'view', eventId: event.id, occurredAt: at(now + 3_600_000), sessionId },
      ],
    });
    expect(refused.status).toBe(400);
    for (let i = 0; i < 3; i++)
      expect((await first.get('/v1/recommendations?limit=5')).status).toBe(200);
    for (const q of ['zzzq-nothing-matches', 'metrics', 'jazz'])
      expect((await first.get(`/v1/search?q=${q}`)).status).toBe(200);
    expect((await first.get('/v1/search/suggest?q=metr')).status).toBe(200);

    // Bounded wait: every target up, then every dashboard expression with series (or until
    // the deadline; the assertions below say which did not).
    const deadline = Date.now() + 150_000;
    const up = async () =>
      (await promQuery(`up{job=~"${Object.keys(jobs).join('|')}"} == 1`)).series;
    while ((await up()) < 5 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 1_000));
    for (;;) {
      ctx = { from: started, to: new Date(), intervalMs: 15_000, variables: {} };
      const missing = [];
      for (const q of queries) {
        if ((await promQuery(expandPromQl(q.query, ctx, scrapeIntervalMs))).series === 0)
          missing.push(q.panel);
      }
      if (missing.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 3_000));
    }
  }, 300_000);

  afterAll(async () => {
    const codes = await Promise.all(services.map((s) => s.stop()));
    await database?.drop();
    await fetch(`http://127.0.0.1:8123/`, {
      method: 'POST',
      body: `DROP DATABASE IF EXISTS ${clickhouseDatabase}`,
    }).catch(() => undefined);
    await fetch(`http://127.0.0.1:9200/${searchAlias}-*`, { method: 'DELETE' }).catch(
      () => undefined,
    );
    expect(codes).toEqual(services.map(() => 0));
  }, 60_000);

  it.each(queries)('$dashboard / $panel ($refId) evaluates with series', async (q) => {
    const expr = expandPromQl(q.query, ctx, scrapeIntervalMs);
    const result = await promQuery(expr);
    expect(result.error, expr).toBeUndefined();
    expect(result.series, expr).toBeGreaterThan(0);
  });

  it.each(rules)('rule $name evaluates without error', async (r) => {
    const result = await promQuery(r.expr);
    expect(result.error, r.expr).toBeUndefined();
  });
});
