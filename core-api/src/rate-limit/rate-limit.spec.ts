import type { Server } from 'node:http';
import {
  createLogger,
  createMetricsRegistry,
  createServiceApp,
  finishServiceApp,
  listen,
} from '@platform/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimits, type RateLimitStoreFactory } from './rate-limit.js';

/** The rate limiter port's contract: the same behaviour from the Redis and the memory store. */
export function rateLimitSpec(name: string, stores: () => RateLimitStoreFactory) {
  describe(`rate limits (${name} store)`, () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      const logger = createLogger({ service: 'rl-test', level: 'silent' });
      const app = createServiceApp({ logger, metrics: createMetricsRegistry('rl-test') });
      const limits = createRateLimits({
        enabled: true,
        stores: stores(),
        perIp: { limit: 3, windowSeconds: 2 },
      });
      app.get('/limited', limits.perIp, (_req, res) => {
        res.json({ ok: true });
      });
      finishServiceApp(app, logger);
      server = await listen(app, { port: 0, host: '127.0.0.1', logger });
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('allows the limit, then answers 429 problem+json with Retry-After, then recovers after the window', async () => {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetch(`${base}/limited`)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await fetch(`${base}/limited`);
      expect(limited.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.headers.get('ratelimit-policy')).toMatch(/^"ip"; q=3; w=2; pk=:/);
      expect(limited.headers.get('ratelimit')).toMatch(/^"ip"; r=0; t=\d+$/);
      await new Promise((r) => setTimeout(r, 2_200));
      expect((await fetch(`${base}/limited`)).status).toBe(200);
    });
  });
}
