import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestLogger } from './logger.js';

describe('requestLogger', () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    app.use(requestLogger(logger));
    app.get('/ok', (_req, res) => void res.json({ ok: true }));
    app.get('/missing', (_req, res) => void res.status(404).end());
    app.get('/broken', (req, res) => {
      req.log?.warn('about to fail');
      res.status(500).end();
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const completion = (id: string) =>
    lines.find(
      (l) => (l.req as { id?: string } | undefined)?.id === id && l.msg !== 'about to fail',
    );

  it('logs each completed request once, at a level that follows its status, with its id', async () => {
    for (const [path, id, level, status] of [
      ['/ok', 'req-ok', 20, 200],
      ['/missing', 'req-missing', 30, 404],
      ['/broken', 'req-broken', 50, 500],
    ] as const) {
      const res = await fetch(base + path, { headers: { 'x-request-id': id } });
      expect(res.headers.get('x-request-id')).toBe(id);
      await expect.poll(() => completion(id)).toBeDefined();
      expect(completion(id)).toMatchObject({
        level,
        req: { id, method: 'GET', url: path },
        res: { statusCode: status },
      });
      expect(lines.filter((l) => (l.req as { id?: string })?.id === id && l.res)).toHaveLength(1);
    }
    // The handler's own lines carry the request too.
    expect(lines.find((l) => l.msg === 'about to fail')).toMatchObject({
      level: 40,
      req: { id: 'req-broken' },
    });
  });

  it('replaces a malformed incoming id', async () => {
    const res = await fetch(base + '/ok', { headers: { 'x-request-id': 'no spaces <here>' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("gives each app's requests its own logger", async () => {
    const other: Record<string, unknown>[] = [];
    const otherLogger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split('\n').filter(Boolean))
            other.push(JSON.parse(line));
          done();
        },
      }),
    );
    const app = express();
    app.use(requestLogger(otherLogger));
    app.get('/other', (req, res) => {
      req.log?.info('from the other app');
      res.json({ ok: true });
    });
    const s = await new Promise<Server>((resolve) => {
      const started = app.listen(0, '127.0.0.1', () => resolve(started));
    });
    try {
      const port = (s.address() as { port: number }).port;
      await fetch(`http://127.0.0.1:${port}/other`, { headers: { 'x-request-id': 'req-other' } });
      await fetch(base + '/ok', { headers: { 'x-request-id': 'req-first' } });
      await expect.poll(() => other.find((l) => l.msg === 'request completed')).toBeDefined();
      await expect.poll(() => completion('req-first')).toBeDefined();
      expect(other.find((l) => l.msg === 'from the other app')).toMatchObject({
        req: { id: 'req-other', url: '/other' },
      });
      expect(lines.some((l) => (l.req as { id?: string } | undefined)?.id === 'req-other')).toBe(
        false,
      );
      expect(other.some((l) => (l.req as { id?: string } | undefined)?.id === 'req-first')).toBe(
        false,
      );
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });
});
