/**
 * `npm run bench:search`: search and autocomplete against the real Elasticsearch and PostgreSQL
 * on this machine (needs `npm run services:up`).
 *
 * 1. 100,000 generated events are inserted into a fresh PostgreSQL database, then indexed with
 *    the production reindex (`search/src/index/reindex.ts`: keyset pages from PostgreSQL, bulk
 *    API, alias swap); documents/s is measured over the load.
 * 2. The search routes (`core-api/src/search/search.routes.ts` in a service app with the
 *    Elasticsearch adapter) run in a child process. Suggest, then search, are sent through HTTP
 *    at a fixed 200 requests/s for 30 s each; latency is measured from each request's scheduled
 *    send time, so a stall is not hidden.
 * 3. Reference in the same run: the same queries, as the very requests the adapter builds (body
 *    and filter_path), sent straight to Elasticsearch's `_search` at the same rate. The API's p99
 *    is reported as a ratio of it. API and direct run in alternating 5 s windows (6 each, the
 *    first of each pair taking turns), so other load on the machine falls on both alike.
 * 4. Inside the API process, each request's time from arrival to the end of the response and the
 *    Elasticsearch round trip within it are recorded: the API's own time is the difference, a
 *    figure that does not depend on how long Elasticsearch took.
 * Traffic goes to 127.0.0.1 only.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { SearchQuery } from '@platform/contracts';
import { freshDatabase } from '@platform/core-api/testing';
import {
  createLogger,
  createMetricsRegistry,
  createServiceApp,
  finishServiceApp,
  listen,
  localDefaults,
  newId,
  pick,
  seededRandom,
} from '@platform/kit';
import {
  createElasticClient,
  deleteOtherVersions,
  ElasticSearchIndex,
  filterPaths,
  parseQuery,
  reindex,
  searchRequest,
  suggestRequest,
} from '@platform/search';
import { Router } from 'express';
import { Pool } from 'undici';
import { finishRoutes, type RouteContext } from '../core-api/src/http/route.js';
import { createOpenApiRegistry } from '../core-api/src/openapi/openapi.js';
import { searchRoutes } from '../core-api/src/search/search.routes.js';
import { categories, cities, venues } from '../core-api/src/seed/catalogue.js';
import {
  describeMachine,
  machine,
  percentile,
  progress,
  round,
  updateReadme,
  writeResult,
} from './lib/report.js';
import { openLoop, settleWrites, summarise, type Window } from './lib/load.js';

const EVENTS = 100_000;
const RATE = 200;
const SECONDS = 30;
/** Each path's 30 s run as alternating windows, so a noisy neighbour hits both paths alike. */
const WINDOWS = 6;
const QUERIES = 2_000;
const elasticUrl = process.env.ELASTICSEARCH_URL ?? localDefaults.elasticsearchUrl;

/** One request as the API process saw it: arrival to response finished, and the Elasticsearch round trip within. */
interface Inside {
  totalMs: number;
  elasticMs: number;
}
const TIMINGS_PATH = '/bench/timings';

/** The child: the search routes over the Elasticsearch adapter, as core-api serves them. */
async function serve(alias: string): Promise<void> {
  const logger = createLogger({ service: 'search-bench-api', level: 'warn' });
  const app = createServiceApp({ logger, metrics: createMetricsRegistry('search_bench_api') });
  const router = Router();
  const context: RouteContext = { router, registry: createOpenApiRegistry() };
  const client = createElasticClient(elasticUrl);
  const current = new AsyncLocalStorage<Inside>();
  const recorded: Inside[] = [];
  // The adapter sends each query with one transport.request: time it for the request in flight.
  const transport = client.transport;
  const request = transport.request.bind(transport) as (...args: unknown[]) => Promise<unknown>;
  (transport as { request: unknown }).request = async (...args: unknown[]) => {
    const startedAt = performance.now();
    try {
      return await request(...args);
    } finally {
      const inside = current.getStore();
      if (inside) inside.elasticMs += performance.now() - startedAt;
    }
  };
  const index = new ElasticSearchIndex({ client, alias });
  searchRoutes(context, { index, logger });
  finishRoutes(context);
  // Each window's timings, taken (and cleared) by the benchmark after the window.
  router.get(TIMINGS_PATH, (_req, res) => {
    res.json(recorded.splice(0));
  });
  app.use(router);
  finishServiceApp(app, logger);
  const server = await listen(app, { port: 0, host: '127.0.0.1', logger });
  // Before Express's own listener: the request's context holds from arrival on.
  server.prependListener('request', (req, res) => {
    if (!req.url?.startsWith('/v1/')) return;
    const arrivedAt = performance.now();
    const inside: Inside = { totalMs: 0, elasticMs: 0 };
    current.enterWith(inside);
    res.once('finish', () => {
      inside.totalMs = performance.now() - arrivedAt;
      recorded.push(inside);
    });
  });
  // Exits rather than dies on SIGTERM, so a CPU profile (BENCH_SEARCH_PROFILE) is written.
  process.once('SIGTERM', () => process.exit(0));
  process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
}

async function run(): Promise<void> {
  const random = seededRandom(20_261_121);
  const alias = `bench-search-${randomBytes(4).toString('hex')}`;
  const client = createElasticClient(elasticUrl);
  progress('creating a fresh database on the local PostgreSQL');
  const database = await freshDatabase('postgres');
  let child: ChildProcess | undefined;
  const pools: Pool[] = [];

  try {
    progress(`inserting ${EVENTS} generated events`);
    const titles = await seedEvents(database.sql, random);

    progress(`indexing into Elasticsearch (alias ${alias}) with the reindex`);
    let lastReport = 0;
    const indexing = await reindex({
      sql: database.sql,
      client,
      alias,
      onProgress: (p) => {
        if (p.loaded < p.total && performance.now() - lastReport < 2_000) return;
        lastReport = performance.now();
        progress(`  ${p.loaded}/${p.total}, ${Math.round(p.docsPerSecond)} docs/s`);
      },
    });
    const stats = await client.indices.stats({ index: indexing.index, metric: ['docs', 'store'] });
    const sizeMiB = (stats._all.primaries?.store?.size_in_bytes ?? 0) / 2 ** 20;
    progress(`  ${indexing.documents} documents in ${round(indexing.loadSeconds, 1)} s`);

    progress('flushing the seed and the index to disk (checkpoint, sync)');
    await settleWrites(database.sql);

    const suggestQueries = Array.from({ length: QUERIES }, () => typedPrefix(random, titles));
    const searchQueries = Array.from({ length: QUERIES }, () => searchQuery(random, titles));

    const loadBefore = os.loadavg()[0]!;
    if (loadBefore > os.cpus().length)
      progress(`  warning: load average ${loadBefore.toFixed(1)} on ${os.cpus().length} cores`);
    progress('starting the search API in a child process');
    const started = await startChild(alias);
    child = started.child;
    const api = new Pool(started.base, { connections: 64, keepAliveTimeout: 60_000 });
    const elastic = new Pool(elasticUrl, { connections: 64, keepAliveTimeout: 60_000 });
    pools.push(api, elastic);

    const viaApi = (path: string) => async () => {
      const res = await api.request({ path, method: 'GET' });
      await res.body.json();
      return res.statusCode;
    };
    const direct = (body: object, filterPath: string) => async () => {
      const res = await elastic.request({
        path: `/${alias}/_search?filter_path=${encodeURIComponent(filterPath)}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await res.body.json();
      return res.statusCode;
    };
    const suggestApi = (i: number) =>
      viaApi(`/v1/search/suggest?q=${encodeURIComponent(suggestQueries[i % QUERIES]!)}&limit=10`);
    const suggestDirect = (i: number) =>
      direct(
        suggestRequest(parseQuery(suggestQueries[i % QUERIES]!), 10, new Date()),
        filterPaths.suggest,
      );
    const searchApi = (i: number) =>
      viaApi(`/v1/search?${queryString(searchQueries[i % QUERIES]!)}`);
    const searchDirect = (i: number) => {
      const params = searchQueries[i % QUERIES]!;
      return direct(
        searchRequest(params, parseQuery(params.q), new Date(), undefined),
        filterPaths.search,
      );
    };

    // Warm-up: JIT in both processes, connection pools, Elasticsearch caches.
    progress('warming up');
    for (const send of [suggestApi, suggestDirect, searchApi, searchDirect])
      await closedLoop(1_000, 8, (i) => send(i)());

    const insideApi = async () => {
      const res = await api.request({ path: TIMINGS_PATH, method: 'GET' });
      return (await res.body.json()) as Inside[];
    };
    await insideApi(); // the warm-up's
    const suggest = await alternate('suggest', suggestApi, suggestDirect, child.pid!, insideApi);
    const search = await alternate('search', searchApi, searchDirect, child.pid!, insideApi);
    const phases = {
      suggestApi: suggest.api,
      suggestDirect: suggest.direct,
      searchApi: search.api,
      searchDirect: search.direct,
    };

    const ratio = (a: { p99Ms: number }, b: { p99Ms: number }) => round(a.p99Ms / b.p99Ms, 2);
    const result = {
      benchmark: 'search',
      machine: machine(),
      setup: {
        events: EVENTS,
        ratePerS: RATE,
        secondsPerPhase: SECONDS,
        distinctQueries: QUERIES,
        apiProcess: 'search routes in a service app (child process), Elasticsearch adapter',
        elasticsearch: 'local integ-test-zip 8.19, 512 MB heap, 1 shard, 0 replicas',
        /** 1-minute load average before and after the latency phases: other work on the machine. */
        loadAverage: { before: round(loadBefore, 1), after: round(os.loadavg()[0]!, 1) },
      },
      indexing: {
        documents: indexing.documents,
        loadSeconds: round(indexing.loadSeconds, 2),
        docsPerS: round(indexing.docsPerSecond, 0),
        indexSizeMiB: round(sizeMiB, 1),
      },
      suggest: {
        api: phases.suggestApi,
        direct: phases.suggestDirect,
        apiP99ToDirectP99: ratio(phases.suggestApi, phases.suggestDirect),
      },
      search: {
        api: phases.searchApi,
        direct: phases.searchDirect,
        apiP99ToDirectP99: ratio(phases.searchApi, phases.searchDirect),
      },
      targets: {} as Record<string, { target: string; met: boolean }>,
    };
    result.targets = {
      suggestP99Ms: { target: '<= 20', met: phases.suggestApi.p99Ms <= 20 },
      suggestApiOverhead: { target: '<= 1.5x', met: result.suggest.apiP99ToDirectP99 <= 1.5 },
      searchApiOverhead: { target: '<= 1.5x', met: result.search.apiP99ToDirectP99 <= 1.5 },
      indexingDocsPerS: { target: '>= 2000', met: result.indexing.docsPerS >= 2_000 },
      errors: {
        target: '0',
        met: Object.values(phases).every((p) => p.errors === 0),
      },
    };

    const file = writeResult('search', result);
    const row = (name: string, p: (typeof phases)['suggestDirect']) =>
      `| ${name} | ${p.p50Ms} | ${p.p99Ms} | ${p.maxMs} | ${p.requestsPerS} | ${p.errors} | ${p.serverCpuMsPerRequest ?? ''} |`;
    const inside = (name: string, i: (typeof phases)['suggestApi']['insideApi']) =>
      `| ${name} | ${i.totalMs.p50} / ${i.totalMs.p99} | ${i.elasticMs.p50} / ${i.elasticMs.p99} | ${i.ownMs.p50} / ${i.ownMs.p99} |`;
    updateReadme(
      'search',
      `### Search: \`npm run bench:search\`

${EVENTS.toLocaleString('en')} generated events in the local Elasticsearch 8.19 (integ-test distribution, 512 MB heap, one shard), search routes in a child process, everything on one machine: ${describeMachine(result.machine)}. Measured ${result.machine.date.slice(0, 10)}.

Indexing with the production reindex (PostgreSQL keyset pages of 2,000, bulk API, 2 requests in flight, then the alias swap): **${result.indexing.docsPerS} docs/s** (${result.indexing.documents} documents in ${result.indexing.loadSeconds} s, ${result.indexing.indexSizeMiB} MiB); target >= 2,000.

Open loop at ${RATE} requests/s for ${SECONDS} s per row (API and direct alternate in ${WINDOWS} windows of ${SECONDS / WINDOWS} s over the same queries, the first of each pair taking turns), ${QUERIES} distinct queries (typed prefixes of title words, one in five with a typo; search with one or two words and, for half of them, a category, city or radius filter):

| path | p50 (ms) | p99 (ms) | max (ms) | req/s | errors | API process CPU per request (ms) |
|---|---|---|---|---|---|---|
${row('suggest through the API', phases.suggestApi)}
${row('suggest straight to Elasticsearch', phases.suggestDirect)}
${row('search through the API', phases.searchApi)}
${row('search straight to Elasticsearch', phases.searchDirect)}

Inside the API process (arrival to the end of the response, from the child's own clock), p50 / p99 in ms:

| route | in the API process | of which the Elasticsearch round trip | the API's own time (the difference, per request) |
|---|---|---|---|
${inside('suggest', phases.suggestApi.insideApi)}
${inside('search', phases.searchApi.insideApi)}

p99 of each 5 s window (ms), API / direct: suggest ${phases.suggestApi.windowP99Ms.join(', ')} / ${phases.suggestDirect.windowP99Ms.join(', ')}; search ${phases.searchApi.windowP99Ms.join(', ')} / ${phases.searchDirect.windowP99Ms.join(', ')}.

Load average (1 min) on the machine before / after the latency phases: ${result.setup.loadAverage.before} / ${result.setup.loadAverage.after} (other work shares these ${result.machine.cores} cores).

API p99 : direct p99 = **${result.suggest.apiP99ToDirectP99}** for suggest and **${result.search.apiP99ToDirectP99}** for search (target <= 1.5). Suggest p99 through the API: **${phases.suggestApi.p99Ms} ms** (target <= 20 ms). "Direct" sends the requests the adapter builds (\`search/src/index/elastic.queries.ts\`) to \`_search\`; the API adds validation, the Elasticsearch client, highlighting and JSON. Raw figures: \`bench/results/search.json\`.`,
    );
    progress(`wrote ${file} and bench/README.md`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    child?.kill('SIGTERM');
    await Promise.all(pools.map((p) => p.close()));
    await deleteOtherVersions(client, alias, undefined).catch(() => undefined);
    await client.close();
    await database.drop();
  }
}

/** Inserts the events; returns their titles, for queries. */
async function seedEvents(
  sql: Awaited<ReturnType<typeof freshDatabase>>['sql'],
  random: () => number,
): Promise<string[]> {
  const organizer = newId();
  await sql.query(
    `INSERT INTO users (id, email, name, password_hash) VALUES ($1, 'bench@example.com', 'Bench', 'unused')`,
    [organizer],
  );
  const adjectives = ['Summer', 'Sunday', 'Late', 'Community', 'Rooftop', 'Outdoor', 'Midnight'];
  const categoryNames = Object.keys(categories);
  const titles: string[] = [];
  const now = Date.now();
  const BATCH = 5_000;
  for (let start = 0; start < EVENTS; start += BATCH) {
    const rows = Array.from({ length: BATCH }, () => {
      const category = pick(random, categoryNames);
      const { titles: base, tags, blurb } = categories[category]!;
      const place = pick(random, cities);
      const venue = pick(random, venues);
      const r = random();
      const title = `${r < 0.3 ? `${pick(random, adjectives)} ` : ''}${pick(random, base)}${
        r > 0.6 ? ` in ${place.city}` : r > 0.45 ? ` #${1 + Math.floor(random() * 300)}` : ''
      }`;
      const eventTags = [pick(random, tags), pick(random, tags)];
      const startsAt = new Date(now + 3_600_000 + random() * 120 * 86_400_000);
      const capacity = 20 + Math.floor(random() * 480);
      const roll = random();
      titles.push(title);
      return {
        id: newId(),
        title,
        description: `${blurb} Hosted at ${venue} in ${place.city}. Expect ${eventTags.join(' and ')}, good company and a friendly crowd.`,
        category,
        tags: `{${[...new Set(eventTags)].join(',')}}`,
        startsAt,
        venue,
        city: place.city,
        lat: place.lat + (random() - 0.5) * 0.1,
        lon: place.lon + (random() - 0.5) * 0.1,
        capacity,
        confirmed: Math.min(capacity, Math.floor(capacity * random() ** 3)),
        status: roll < 0.95 ? 'published' : roll < 0.98 ? 'draft' : 'cancelled',
      };
    });
    await sql.query(
      `INSERT INTO events (id, organizer_id, title, description, category, tags, starts_at, ends_at,
         venue_name, city, lat, lon, capacity, confirmed_count, status, revision, published_at)
       SELECT e.id, $1, e.title, e.description, e.category, e.tags::text[], e.starts_at,
         e.starts_at + interval '3 hours', e.venue, e.city, e.lat, e.lon, e.capacity, e.confirmed,
         e.status, 2, CASE WHEN e.status = 'published' THEN now() END
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
         $8::text[], $9::text[], $10::float8[], $11::float8[], $12::int[], $13::int[], $14::text[])
         AS e(id, title, description, category, tags, starts_at, venue, city, lat, lon, capacity,
              confirmed, status)`,
      [
        organizer,
        rows.map((r) => r.id),
        rows.map((r) => r.title),
        rows.map((r) => r.description),
        rows.map((r) => r.category),
        rows.map((r) => r.tags),
        rows.map((r) => r.startsAt),
        rows.map((r) => r.venue),
        rows.map((r) => r.city),
        rows.map((r) => r.lat),
        rows.map((r) => r.lon),
        rows.map((r) => r.capacity),
        rows.map((r) => r.confirmed),
        rows.map((r) => r.status),
      ],
    );
    progress(`  ${start + BATCH}/${EVENTS}`);
  }
  return titles;
}

const words = (title: string) => title.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3);

/** What someone has typed: the start of a title word, sometimes after a first word, sometimes with a typo. */
function typedPrefix(random: () => number, titles: string[]): string {
  const w = words(pick(random, titles));
  const i = Math.floor(random() * w.length);
  const word = w[i]!.toLowerCase();
  let typed = word.slice(0, Math.min(word.length, 3 + Math.floor(random() * 4)));
  if (typed.length >= 4 && random() < 0.2) {
    const at = 1 + Math.floor(random() * (typed.length - 1));
    typed = typed.slice(0, at) + 'x' + typed.slice(at + 1);
  }
  return i > 0 && random() < 0.25 ? `${w[i - 1]!.toLowerCase()} ${typed}` : typed;
}

function searchQuery(random: () => number, titles: string[]): SearchQuery {
  const w = words(pick(random, titles));
  const q = random() < 0.4 && w.length > 1 ? `${w[0]} ${w[1]}` : pick(random, w);
  const filter = random();
  const place = pick(random, cities);
  return {
    q,
    limit: 20,
    ...(filter < 0.2 ? { category: pick(random, Object.keys(categories)) } : {}),
    ...(filter >= 0.2 && filter < 0.35 ? { city: place.city } : {}),
    ...(filter >= 0.35 && filter < 0.5
      ? { near: { lat: place.lat, lon: place.lon }, radiusKm: 30 }
      : {}),
  };
}

function queryString(query: SearchQuery): string {
  const params = new URLSearchParams({ q: query.q, limit: String(query.limit) });
  if (query.category) params.set('category', query.category);
  if (query.city) params.set('city', query.city);
  if (query.near) params.set('near', `${query.near.lat},${query.near.lon}`);
  if (query.radiusKm) params.set('radiusKm', String(query.radiusKm));
  return params.toString();
}

async function startChild(alias: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(
    process.execPath,
    [
      // BENCH_SEARCH_PROFILE=<dir>: a V8 CPU profile of the API process, for finding where time goes.
      ...(process.env.BENCH_SEARCH_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SEARCH_PROFILE}`]
        : []),
      '--import',
      'tsx',
      'bench/search.bench.ts',
      '--serve',
      alias,
    ],
    { env: { ...process.env, ELASTICSEARCH_URL: elasticUrl }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-5_000)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const match = /listening (\d+)/.exec(d.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`search API exited with ${code}:\n${output}`)));
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

async function closedLoop(
  count: number,
  concurrency: number,
  send: (i: number) => Promise<number>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await send(next++);
    }),
  );
}

type Send = (i: number) => () => Promise<number>;

/**
 * The API and the direct path in alternating windows over the same queries. The path that goes
 * first in a pair takes turns: the second sends queries Elasticsearch has just answered.
 */
async function alternate(
  name: string,
  api: Send,
  direct: Send,
  apiPid: number,
  insideApi: () => Promise<Inside[]>,
) {
  const windowSeconds = SECONDS / WINDOWS;
  const perWindow = RATE * windowSeconds;
  const runs = { api: [] as Window[], direct: [] as Window[] };
  const inside: Inside[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    const first = w * perWindow;
    const viaApi = async () => {
      progress(
        `${name} through the API, window ${w + 1}/${WINDOWS}: ${RATE} req/s for ${windowSeconds} s`,
      );
      runs.api.push(await openLoop(RATE, windowSeconds, first, (i) => api(i)(), apiPid));
      inside.push(...(await insideApi()));
    };
    const straight = async () => {
      progress(`${name} straight to Elasticsearch, window ${w + 1}/${WINDOWS}`);
      runs.direct.push(await openLoop(RATE, windowSeconds, first, (i) => direct(i)()));
    };
    for (const path of w % 2 === 0 ? [viaApi, straight] : [straight, viaApi]) await path();
  }
  const result = {
    api: { ...summarise(runs.api), insideApi: insideSummary(inside) },
    direct: summarise(runs.direct),
  };
  progress(
    `  ${name}: API p50 ${result.api.p50Ms} / p99 ${result.api.p99Ms} ms, direct p50 ${result.direct.p50Ms} / p99 ${result.direct.p99Ms} ms; the API's own time p50 ${result.api.insideApi.ownMs.p50} / p99 ${result.api.insideApi.ownMs.p99} ms`,
  );
  return result;
}

/** Quantiles of the API process's timings: in all, the Elasticsearch round trip, and the rest. */
function insideSummary(inside: Inside[]) {
  const quantiles = (values: number[]) => {
    const sorted = values.sort((a, b) => a - b);
    return { p50: round(percentile(sorted, 50), 2), p99: round(percentile(sorted, 99), 2) };
  };
  return {
    requests: inside.length,
    totalMs: quantiles(inside.map((r) => r.totalMs)),
    elasticMs: quantiles(inside.map((r) => r.elasticMs)),
    ownMs: quantiles(inside.map((r) => r.totalMs - r.elasticMs)),
  };
}

// Last, so every helper above is initialized before it runs.
if (process.argv[2] === '--serve') await serve(process.argv[3]!);
else await run();
