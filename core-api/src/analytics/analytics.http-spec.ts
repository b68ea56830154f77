import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Backend, type TestApi } from '../testing/harness.js';
import { futureEvent, TestClient, uniqueEmail } from '../testing/client.js';

export function analyticsSpec(backend: Backend) {
  describe(`analytics API (${backend})`, () => {
    let api: TestApi;
    let admin: TestClient;
    let organizer: TestClient;
    let stranger: TestClient;
    let eventId: string;
    const range = () => {
      const to = new Date();
      const from = new Date(to.getTime() - 3_600_000);
      return `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}&interval=5m`;
    };
    beforeAll(async () => {
      api = await startTestApi(backend, { adminEmails: ['boss@example.com'] });
      admin = new TestClient(api.base);
      await admin.signUp('boss@example.com');
      organizer = new TestClient(api.base);
      await organizer.signUp(uniqueEmail('organizer'));
      stranger = new TestClient(api.base);
      await stranger.signUp(uniqueEmail('stranger'));
      eventId = (await organizer.post('/v1/events', futureEvent())).body.id;
      await organizer.post(`/v1/events/${eventId}/publish`);
    });
    afterAll(() => api.close());

    it('serves the overview, top events and searches to admins only', async () => {
      for (const path of [
        `/v1/analytics/overview?${range()}`,
        `/v1/analytics/top?metric=views&${range()}&limit=5`,
        `/v1/analytics/searches?${range()}`,
      ]) {
        const ok = await admin.get(path);
        expect(ok.status, path).toBe(200);
        expect((await organizer.get(path)).status, path).toBe(403);
        expect((await new TestClient(api.base).get(path)).status, path).toBe(401);
      }
      const overview = await admin.get(`/v1/analytics/overview?${range()}`);
      expect(overview.body).toHaveProperty('series');
    });

    it("shows an event's figures to its organizer and admins, not to others", async () => {
      const mine = await organizer.get(`/v1/analytics/events/${eventId}?${range()}`);
      expect(mine.status).toBe(200);
      expect(mine.body.totals).toEqual({
        impressions: 0,
        views: 0,
        clicks: 0,
        searches: 0,
        registrations: 0,
      });
      expect(Array.isArray(mine.body.series)).toBe(true);
      expect((await admin.get(`/v1/analytics/events/${eventId}?${range()}`)).status).toBe(200);
      expect((await stranger.get(`/v1/analytics/events/${eventId}?${range()}`)).status).toBe(403);
    });

    it('refuses bad ranges with 400', async () => {
      expect((await admin.get('/v1/analytics/overview?from=yesterday&to=today')).status).toBe(400);
      const to = new Date();
      const backwards = `from=${encodeURIComponent(to.toISOString())}&to=${encodeURIComponent(new Date(to.getTime() - 60_000).toISOString())}`;
      expect((await admin.get(`/v1/analytics/overview?${backwards}`)).status).toBe(400);
    });
  });
}
