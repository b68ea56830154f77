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
});
