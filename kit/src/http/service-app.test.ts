import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, ServiceUnavailableError } from '../errors/errors.js';
import { createLogger } from '../logger/logger.js';
import { createMetricsRegistry } from '../metrics/metrics.js';
import { Shutdown } from '../shutdown/shutdown.js';
import { createServiceApp, finishServiceApp, listen } from './service-app.js';

const logger = createLogger({ service: 'test', level: 'silent' });

describe('service app', () => {
  let server: Server;
  let base: string;
  let dependencyUp = true;
  let releaseSlow!: () => void;
  const shutdown = new Shutdown(logger, 5_000);
  const metrics = createMetricsRegistry('test');
  const arrivedWith = new WeakMap<object, object>();

  beforeAll(async () => {
    const app = createServiceApp({
      logger,
      metrics,
      bodyLimit: '1kb',
      readiness: [
        {
          name: 'dependency',
          check: async () => {
            if (!dependencyUp) throw new Error('down');
          },
        },
      ],
    });
    app.post('/items/:id', (req, res) => {
      const body = z.strictObject({ name: z.string().min(2) }).parse(req.body);
      res.status(201).json({ id: req.params.id, ...body });
    });
    app.get('/conflict', () => {
      throw new ConflictError('already there', 'duplicate');
    });
    app.get('/busy', () => {
      throw new ServiceUnavailableError('lock wait too long', 3);
    });
    app.get('/boom', () => {
      throw new Error('secret internals');
    });
    app.get('/prototypes', (req, res) => {
      res.json({
        request: arrivedWith.get(req) === app.request,
        response: arrivedWith.get(res) === app.response,
        ownLog: Object.hasOwn(req, 'log'),
        log: typeof req.log?.info,
        query: req.query,
      });
    });
    app.get('/slow', async (_req, res) => {
      await new Promise<void>((r) => (releaseSlow = r));
      res.json({ done: true });
    });
    finishServiceApp(app, logger);
    server = await listen(app, { port: 0, host: '127.0.0.1', logger, shutdown });
    // Before Express sees them: the prototypes each request and response was created with.
    server.prependListener('request', (req: object, res: object) => {
      arrivedWith.set(req, Object.getPrototypeOf(req) as object);
      arrivedWith.set(res, Object.getPrototypeOf(res) as object);
    });
    const address = server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(() => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r())));

  const post = (path: string, body: string) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('answers problem+json listing each bad field for invalid bodies', async () => {
    const res = await post('/items/1', JSON.stringify({ name: 'x', extra: true }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe('validation');
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['', 'name']);
  });

  it('answers 400 for malformed JSON and 413 for an oversized body, never 500', async () => {
    const malformed = await post('/items/1', '{"name": ');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { code: string }).code).toBe('malformed-json');
    const big = await post('/items/1', JSON.stringify({ name: 'x'.repeat(2_000) }));
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toContain('application/problem+json');
  });

  it('maps typed errors to their status, code and headers', async () => {
    const conflict = await fetch(base + '/conflict');
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { code: string }).code).toBe('duplicate');
    const busy = await fetch(base + '/busy');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('3');
  });

  it('hides internals of unexpected errors behind a 500 problem', async () => {
    const res = await fetch(base + '/boom');
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('secret internals');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await fetch(base + '/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('keeps a well-formed request id and replaces a hostile one', async () => {
    const kept = await fetch(base + '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await fetch(base + '/healthz', { headers: { 'x-request-id': 'a b<script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports readiness from its checks', async () => {
    expect((await fetch(base + '/readyz')).status).toBe(200);
    dependencyUp = false;
    const res = await fetch(base + '/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ checks: [{ name: 'dependency', ok: false }] });
    dependencyUp = true;
  });

  it('labels request metrics with the route template, not the raw path', async () => {
    await post('/items/abc', JSON.stringify({ name: 'ok' }));
    await post('/items/def', JSON.stringify({ name: 'ok' }));
    const text = await (await fetch(base + '/metrics')).text();
    expect(text).toMatch(
      /http_requests_total\{method="POST",route="\/items\/:id",status="201",service="test"\} 2/,
    );
    expect(text).not.toContain('/items/abc');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('creates requests and responses with the app prototypes, and req.log without an own property', async () => {
    // Re-parenting each request (Express) or an accessor on each one kept every request alive
    // into the old generation; see createAppServer and requestLogger.
    const res = await fetch(base + '/prototypes?page=2');
    expect(await res.json()).toEqual({
      request: true,
      response: true,
      ownLog: false,
      log: 'function',
      query: { page: '2' },
    });
  });

  it('drains an in-flight request on shutdown before closing', async () => {
    const inFlight = fetch(base + '/slow').then((r) => r.json());
    await new Promise((r) => setTimeout(r, 50));
    const stopping = shutdown.run();
    await new Promise((r) => setTimeout(r, 50));
    releaseSlow();
    expect(await inFlight).toEqual({ done: true });
    expect(await stopping).toBe(true);
    await expect(fetch(base + '/healthz')).rejects.toThrow();
  });
});
