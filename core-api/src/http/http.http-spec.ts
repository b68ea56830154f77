import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Backend, type TestApi } from '../testing/harness.js';
import { futureEvent, TestClient, uniqueEmail } from '../testing/client.js';

export function httpSpec(backend: Backend) {
  describe(`HTTP conventions (${backend})`, () => {
    let api: TestApi;
    let client: TestClient;
    beforeAll(async () => {
      api = await startTestApi(backend, {
        rateLimits: {
          enabled: true,
          perIp: { limit: 1000, windowSeconds: 60 },
          perUser: { limit: 5, windowSeconds: 60 },
        },
      });
      client = new TestClient(api.base);
      await client.signUp(uniqueEmail());
    });
    afterAll(() => api.close());

    it('answers malformed JSON with 400 and an oversized body with 413, as problem+json', async () => {
      const malformed = await client.request('POST', '/v1/events', { raw: '{"title": "x",' });
      expect(malformed.status).toBe(400);
      expect(malformed.headers.get('content-type')).toContain('application/problem+json');
      expect(malformed.body.code).toBe('malformed-json');
      const big = await client.post(
        '/v1/events',
        futureEvent({ description: 'x'.repeat(200_000) }),
      );
      expect(big.status).toBe(413);
      expect(big.body.code).toBe('payload-too-large');
    });

    it('answers unknown routes with a 404 problem', async () => {
      const res = await client.get('/v1/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({
        status: 404,
        code: 'not-found',
        instance: '/v1/nothing-here',
      });
    });

    it('serves OpenAPI 3.1 with every route, and the docs page', async () => {
      const res = await new TestClient(api.base).get('/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      for (const path of [
        '/v1/auth/register',
        '/v1/events',
        '/v1/events/{id}',
        '/v1/events/{id}/registrations',
        '/v1/events/{id}/attendees',
        '/v1/me/registrations',
      ])
        expect(res.body.paths[path], path).toBeDefined();
      expect(
        res.body.paths['/v1/events'].post.responses['400'].content['application/problem+json'],
      ).toBeDefined();
      const docs = await fetch(`${api.base}/docs/`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger-ui');
    });

    it('rate-limits per user with RateLimit headers, then 429 with Retry-After', async () => {
      const user = new TestClient(api.base);
      await user.signUp(uniqueEmail());
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 6; i++) {
        last = await user.get('/v1/me');
        statuses.push(last.status);
        if (i === 0) {
          expect(last.headers.get('ratelimit-policy')).toContain('"user"; q=5; w=60');
          expect(last.headers.get('ratelimit')).toContain('"user"; r=4');
        }
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect(last!.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another person is not affected.
      expect((await client.get('/v1/events')).status).toBe(200);
    });
  });
}
