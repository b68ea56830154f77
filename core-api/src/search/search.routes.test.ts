import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { domainMessageSchema, type SearchQuery } from '@platform/contracts';
import {
  createLogger,
  createMetricsRegistry,
  createServiceApp,
  finishServiceApp,
  listen,
  newId,
} from '@platform/kit';
import { EmbeddedSearchIndex } from '@platform/search';
import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { authenticate } from '../auth/auth.middleware.js';
import type { AuthUser } from '../auth/auth.types.js';
import { AccessTokens } from '../auth/tokens.js';
import { finishRoutes, type RouteContext } from '../http/route.js';
import { buildOpenApiDocument, createOpenApiRegistry } from '../openapi/openapi.js';
import { TestClient } from '../testing/client.js';
import { metricSample } from '../testing/metrics.js';
import { searchRoutes } from './search.routes.js';

/**
 * The search routes in a small app of their own (service app, authentication, these routes,
 * the embedded index), so they are tested without the rest of core-api.
 */
describe('search API', () => {
  const logger = createLogger({ service: 'search-routes-test', level: 'silent' });
  const tokens = new AccessTokens(randomBytes(32).toString('hex'));
  const index = new EmbeddedSearchIndex();
  const recorded: { query: SearchQuery; count: number; user: AuthUser | undefined }[] = [];
  let onSearch: (query: SearchQuery, count: number, user: AuthUser | undefined) => void = (
    query,
    count,
    user,
  ) => {
    recorded.push({ query, count, user });
  };
  const metrics = createMetricsRegistry('search_routes_test');
  let server: Server;
  let client: TestClient;
  const jazzId = newId();

  const publish = async (
    id: string,
    title: string,
    venue: { city: string; lat: number; lon: number },
    inDays: number,
  ) => {
    const startsAt = new Date(Date.now() + inDays * 86_400_000);
    await index.apply(
      domainMessageSchema.parse({
        id: newId(),
        type: 'event.published',
        version: 1,
        occurredAt: new Date().toISOString(),
        aggregateId: id,
        data: {
          id,
          organizerId: newId(),
          title,
          description: `An evening of ${title.toLowerCase()} in ${venue.city}.`,
          category: 'music',
          tags: [],
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
          venue: { name: 'Hall', ...venue },
          capacity: 100,
          confirmedCount: 0,
          waitlistCount: 0,
          status: 'published',
          revision: 2,
          publishedAt: new Date().toISOString(),
        },
      }),
    );
  };

  beforeAll(async () => {
    await publish(jazzId, 'Jazz by the river', { city: 'Lyon', lat: 45.76, lon: 4.83 }, 3);
    await publish(newId(), 'Jazz brunch', { city: 'Paris', lat: 48.86, lon: 2.35 }, 5);
    await publish(newId(), 'Jazz jam session', { city: 'Lyon', lat: 45.75, lon: 4.85 }, 8);

    const app = createServiceApp({ logger, metrics });
    const router = Router();
    router.use('/v1', authenticate(tokens));
    const registry = createOpenApiRegistry();
    const context: RouteContext = { router, registry };
    searchRoutes(context, {
      index,
      onSearch: (query, count, user) => onSearch(query, count, user),
      logger,
      metrics,
    });
    finishRoutes(context);
    app.use(router);
    const document = buildOpenApiDocument(registry);
    app.get('/openapi.json', (_req, res) => {
      res.json(document);
    });
    finishServiceApp(app, logger);
    server = await listen(app, { port: 0, host: '127.0.0.1', logger });
    client = new TestClient(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers ranked hits with highlights and facets, and pages with the cursor', async () => {
    const first = await client.get('/v1/search?q=jazz&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(3);
    expect(first.body.hits).toHaveLength(2);
    for (const hit of first.body.hits) expect(hit.highlights.title).toEqual([{ start: 0, end: 4 }]);
    expect(first.body.facets.city).toEqual([
      { value: 'Lyon', count: 2 },
      { value: 'Paris', count: 1 },
    ]);
    const second = await client.get(
      `/v1/search?q=jazz&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(second.status).toBe(200);
    expect(second.body.hits).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const seen = [...first.body.hits, ...second.body.hits].map(
      (h: { eventId: string }) => h.eventId,
    );
    expect(new Set(seen).size).toBe(3);
  });

  it('highlights matches in the title and the description snippet', async () => {
    const res = await client.get('/v1/search?q=river');
    expect(res.body.hits).toEqual([
      expect.objectContaining({
        eventId: jazzId,
        title: 'Jazz by the river',
        snippet: 'An evening of jazz by the river in Lyon.',
        highlights: { title: [{ start: 12, end: 17 }], snippet: [{ start: 26, end: 31 }] },
        distanceKm: null,
      }),
    ]);
  });

  it('filters by distance from near=lat,lon', async () => {
    const res = await client.get('/v1/search?q=jazz&near=48.85,2.35&radiusKm=20');
    expect(res.status).toBe(200);
    expect(res.body.hits.map((h: { title: string }) => h.title)).toEqual(['Jazz brunch']);
    expect(res.body.hits[0].distanceKm).toBeLessThan(2);
  });

  it('suggests titles with the typed ranges, typo tolerant', async () => {
    const res = await client.get('/v1/search/suggest?q=rivr&limit=5');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      suggestions: [
        { eventId: jazzId, title: 'Jazz by the river', highlights: [{ start: 12, end: 17 }] },
      ],
    });
    const limited = await client.get('/v1/search/suggest?q=ja&limit=2');
    expect(limited.body.suggestions).toHaveLength(2);
  });

  it.each([
    ['/v1/search', 'query.q'],
    ['/v1/search?q=', 'query.q'],
    ['/v1/search?q=%20%20', 'query.q'],
    ['/v1/search?q=%21%3F%21', 'query.q'],
    [`/v1/search?q=${'a'.repeat(201)}`, 'query.q'],
    [`/v1/search?q=${Array.from({ length: 11 }, () => 'jazz').join('+')}`, 'query.q'],
    ['/v1/search?q=jazz&q=blues', 'query.q'],
    ['/v1/search?q=jazz&from=yesterday', 'query.from'],
    ['/v1/search?q=jazz&to=2030-02-30T00:00:00Z', 'query.to'],
    ['/v1/search?q=jazz&from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z', 'query.to'],
    ['/v1/search?q=jazz&near=91,0', 'query.near.lat'],
    ['/v1/search?q=jazz&near=45,181', 'query.near.lon'],
    ['/v1/search?q=jazz&near=lyon', 'query.near'],
    ['/v1/search?q=jazz&radiusKm=5', 'query.radiusKm'],
    ['/v1/search?q=jazz&near=45,4&radiusKm=-1', 'query.radiusKm'],
    ['/v1/search?q=jazz&limit=0', 'query.limit'],
    ['/v1/search?q=jazz&limit=51', 'query.limit'],
    ['/v1/search?q=jazz&cursor=bm90LWEtY3Vyc29y', 'query.cursor'],
    ['/v1/search/suggest?q=', 'query.q'],
    [`/v1/search/suggest?q=${'a'.repeat(101)}`, 'query.q'],
    ['/v1/search/suggest?q=jazz&limit=11', 'query.limit'],
  ])('answers %s with a 400 problem on %s', async (path, field) => {
    const res = await client.get(path);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('validation');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(field);
  });

  it('hands each search, not each suggestion, to the onSearch hook with count and caller', async () => {
    recorded.length = 0;
    const user = { id: newId(), role: 'user' as const };
    await client.get('/v1/search?q=brunch', { token: await tokens.sign(user) });
    await client.get('/v1/search?q=nothing+like+this');
    await client.get('/v1/search/suggest?q=jaz');
    await vi.waitFor(() => expect(recorded).toHaveLength(2));
    expect(recorded[0]).toMatchObject({ query: { q: 'brunch', limit: 20 }, count: 1, user });
    expect(recorded[1]).toMatchObject({
      query: { q: 'nothing like this' },
      count: 0,
      user: undefined,
    });
  });

  it('answers the search even when the onSearch hook fails', async () => {
    const previous = onSearch;
    onSearch = () => {
      throw new Error('interactions pipeline down');
    };
    try {
      const res = await client.get('/v1/search?q=jazz');
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(3);
    } finally {
      onSearch = previous;
    }
  });

  it('counts queries that found nothing apart from those that did, and times the index', async () => {
    const value = async (name: string, labels: Record<string, string>) =>
      metricSample(await metrics.metrics(), name, labels);
    const before = {
      none: await value('search_queries_total', { endpoint: 'search', results: 'none' }),
      some: await value('search_queries_total', { endpoint: 'search', results: 'some' }),
      suggestNone: await value('search_queries_total', { endpoint: 'suggest', results: 'none' }),
      timed: await value('search_query_duration_seconds_count', { endpoint: 'search' }),
    };
    expect((await client.get('/v1/search?q=zzzzqqqq')).body.total).toBe(0);
    expect((await client.get('/v1/search?q=jazz')).body.total).toBe(3);
    expect((await client.get('/v1/search/suggest?q=zzzzqqqq')).body.suggestions).toEqual([]);
    expect(await value('search_queries_total', { endpoint: 'search', results: 'none' })).toBe(
      before.none + 1,
    );
    expect(await value('search_queries_total', { endpoint: 'search', results: 'some' })).toBe(
      before.some + 1,
    );
    expect(await value('search_queries_total', { endpoint: 'suggest', results: 'none' })).toBe(
      before.suggestNone + 1,
    );
    expect(await value('search_query_duration_seconds_count', { endpoint: 'search' })).toBe(
      before.timed + 2,
    );
  });

  it('documents both operations and their parameters in OpenAPI', async () => {
    const res = await client.get('/openapi.json');
    const search = res.body.paths['/v1/search'].get;
    expect(search.operationId).toBe('searchEvents');
    expect(search.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
      ['category', 'city', 'cursor', 'from', 'limit', 'near', 'q', 'radiusKm', 'to'].sort(),
    );
    expect(Object.keys(search.responses)).toEqual(expect.arrayContaining(['200', '400', '503']));
    expect(res.body.paths['/v1/search/suggest'].get.operationId).toBe('suggestEvents');
  });
});
