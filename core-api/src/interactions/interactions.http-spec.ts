import { interactionSchema, topics } from '@platform/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Backend, type TestApi } from '../testing/harness.js';
import { TestClient, uniqueEmail } from '../testing/client.js';
import { metricSample } from '../testing/metrics.js';

export function interactionsSpec(backend: Backend) {
  describe(`interactions ingest (${backend})`, () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi(backend);
    });
    afterAll(() => api.close());

    const eventId = '0192f1d2-7c3a-7b11-8a3e-0f1e2d3c4b5a';
    const at = () => new Date().toISOString();

    it('accepts a batch with 202 and produces each interaction, stamped, keyed by user or session', async () => {
      const received: { key: string | null; value: unknown }[] = [];
      const sub = await api.kafkaLog.consume({
        group: `test-${Date.now()}`,
        topics: [topics.interactions],
        from: 'end',
        handle: async (batch) => {
          for (const d of batch) {
            received.push({ key: d.key, value: JSON.parse(Buffer.from(d.value).toString()) });
            d.ack();
          }
        },
      });
      const anonymous = new TestClient(api.base);
      const res = await anonymous.post('/v1/interactions', {
        interactions: [
          {
            type: 'impression',
            eventId,
            position: 3,
            occurredAt: at(),
            sessionId: 'session-abc-123',
          },
          {
            type: 'search',
            query: 'jazz',
            resultCount: 0,
            occurredAt: at(),
            sessionId: 'session-abc-123',
          },
        ],
      });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ accepted: 2 });
      const signedIn = new TestClient(api.base);
      const user = await signedIn.signUp(uniqueEmail());
      await signedIn.post('/v1/interactions', {
        interactions: [{ type: 'click', eventId, occurredAt: at(), sessionId: 'session-xyz-789' }],
      });
      await expect.poll(() => received.length, { timeout: 5_000 }).toBe(3);
      await sub.stop();
      const values = received.map((r) => interactionSchema.parse(r.value));
      expect(values.map((v) => v.type)).toEqual(['impression', 'search', 'click']);
      expect(received.map((r) => r.key)).toEqual(['session-abc-123', 'session-abc-123', user.id]);
      expect(values[2]!.userId).toBe(user.id);
      expect(values[0]!.userId).toBeNull();
      expect(new Set(values.map((v) => v.id)).size).toBe(3);
    });

    it('counts accepted interactions by type and surface on /metrics', async () => {
      const scrape = async () => (await fetch(`${api.base}/metrics`)).text();
      const count = (text: string, type: string, surface: string) =>
        metricSample(text, 'interactions_accepted_total', { type, surface });
      const before = await scrape();
      const res = await new TestClient(api.base).post('/v1/interactions', {
        interactions: [
          {
            type: 'impression',
            eventId,
            surface: 'recommendations',
            occurredAt: at(),
            sessionId: 'session-surface-1',
          },
          {
            type: 'click',
            eventId,
            surface: 'recommendations',
            occurredAt: at(),
            sessionId: 'session-surface-1',
          },
          { type: 'click', eventId, occurredAt: at(), sessionId: 'session-surface-1' },
        ],
      });
      expect(res.status).toBe(202);
      const after = await scrape();
      expect(count(after, 'impression', 'recommendations')).toBe(
        count(before, 'impression', 'recommendations') + 1,
      );
      expect(count(after, 'click', 'recommendations')).toBe(
        count(before, 'click', 'recommendations') + 1,
      );
      expect(count(after, 'click', 'none')).toBe(count(before, 'click', 'none') + 1);
    });

    it('accepts a batch sent as text/plain, as navigator.sendBeacon sends it', async () => {
      const res = await new TestClient(api.base).request('POST', '/v1/interactions', {
        raw: JSON.stringify({
          interactions: [
            { type: 'view', eventId, occurredAt: at(), sessionId: 'beacon-session-1' },
          ],
        }),
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
      });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ accepted: 1 });
      const malformed = await new TestClient(api.base).request('POST', '/v1/interactions', {
        raw: 'not json',
        headers: { 'content-type': 'text/plain' },
      });
      expect(malformed.status).toBe(400);
    });

    it('refuses timestamps too far in the future or past, naming the item', async () => {
      const res = await new TestClient(api.base).post('/v1/interactions', {
        interactions: [
          { type: 'view', eventId, occurredAt: at(), sessionId: 'session-abc-123' },
          {
            type: 'view',
            eventId,
            occurredAt: new Date(Date.now() + 3_600_000).toISOString(),
            sessionId: 'session-abc-123',
          },
          {
            type: 'view',
            eventId,
            occurredAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
            sessionId: 'session-abc-123',
          },
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([
        'body.interactions.1.occurredAt',
        'body.interactions.2.occurredAt',
      ]);
    });

    it('refuses empty, oversized and malformed batches', async () => {
      const c = new TestClient(api.base);
      expect((await c.post('/v1/interactions', { interactions: [] })).status).toBe(400);
      const one = { type: 'view', eventId, occurredAt: at(), sessionId: 'session-abc-123' };
      expect(
        (await c.post('/v1/interactions', { interactions: Array(501).fill(one) })).status,
      ).toBe(400);
      expect(
        (await c.post('/v1/interactions', { interactions: Array(500).fill(one) })).status,
      ).toBe(202);
      expect(
        (await c.post('/v1/interactions', { interactions: [{ ...one, sessionId: 'no' }] })).status,
      ).toBe(400);
    });
  });
}
