import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Backend, type TestApi } from '../testing/harness.js';
import { futureEvent, TestClient, uniqueEmail, type Reply } from '../testing/client.js';

export function eventsSpec(backend: Backend) {
  describe(`events API (${backend})`, () => {
    let api: TestApi;
    let organizer: TestClient;
    let stranger: TestClient;
    let admin: TestClient;
    const anonymous = () => new TestClient(api.base);

    beforeAll(async () => {
      api = await startTestApi(backend, { adminEmails: ['admin@example.com'] });
      organizer = new TestClient(api.base);
      await organizer.signUp(uniqueEmail('organizer'));
      stranger = new TestClient(api.base);
      await stranger.signUp(uniqueEmail('stranger'));
      admin = new TestClient(api.base);
      await admin.signUp('admin@example.com');
    });
    afterAll(() => api.close());

    const createPublished = async (overrides: Record<string, unknown> = {}, by = organizer) => {
      const created = await by.post('/v1/events', futureEvent(overrides));
      expect(created.status).toBe(201);
      const published = await by.post(`/v1/events/${created.body.id}/publish`);
      expect(published.status).toBe(200);
      return published.body;
    };

    it('creates a draft with counts, visible only to its organizer and admins', async () => {
      const res = await organizer.post(
        '/v1/events',
        futureEvent({ category: 'Music', tags: ['Jazz', 'jazz'] }),
      );
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe(`/v1/events/${res.body.id}`);
      expect(res.body).toMatchObject({
        status: 'draft',
        capacity: 50,
        confirmedCount: 0,
        waitlistCount: 0,
        category: 'music',
        tags: ['jazz'],
        publishedAt: null,
      });
      expect((await organizer.get(`/v1/events/${res.body.id}`)).status).toBe(200);
      expect((await admin.get(`/v1/events/${res.body.id}`)).status).toBe(200);
      expect((await stranger.get(`/v1/events/${res.body.id}`)).status).toBe(404);
      expect((await anonymous().get(`/v1/events/${res.body.id}`)).status).toBe(404);
    });

    it('validates the body and lists every bad field', async () => {
      const res = await organizer.post('/v1/events', {
        ...futureEvent(),
        title: 'x',
        capacity: 0,
        venue: { name: 'V', city: 'Lyon', lat: 91, lon: 4 },
        color: 'red',
      });
      expect(res.status).toBe(400);
      const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
      expect(paths).toEqual(['body', 'body.capacity', 'body.title', 'body.venue.lat']);
      const backwards = await organizer.post(
        '/v1/events',
        futureEvent({ endsAt: new Date().toISOString() }),
      );
      expect(backwards.status).toBe(400);
      expect(backwards.body.errors).toEqual([
        { path: 'body.endsAt', message: 'must be after startsAt' },
      ]);
      expect((await anonymous().post('/v1/events', futureEvent())).status).toBe(401);
    });

    it('publishes only future drafts, and only for the organizer or an admin', async () => {
      const draft = (await organizer.post('/v1/events', futureEvent())).body;
      expect((await stranger.post(`/v1/events/${draft.id}/publish`)).status).toBe(404);
      const published = await admin.post(`/v1/events/${draft.id}/publish`);
      expect(published.status).toBe(200);
      expect(published.body.status).toBe('published');
      expect(published.body.publishedAt).not.toBeNull();
      const again = await organizer.post(`/v1/events/${draft.id}/publish`);
      expect(again.status).toBe(409);
      // Published events are public, but still not the stranger's to manage: 403.
      expect((await stranger.get(`/v1/events/${draft.id}`)).status).toBe(200);
      expect((await stranger.patch(`/v1/events/${draft.id}`, { title: 'Mine now' })).status).toBe(
        403,
      );
      expect((await stranger.post(`/v1/events/${draft.id}/cancel`)).status).toBe(403);

      const past = (
        await organizer.post(
          '/v1/events',
          futureEvent({
            startsAt: new Date(Date.now() - 3_600_000).toISOString(),
            endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          }),
        )
      ).body;
      const refused = await organizer.post(`/v1/events/${past.id}/publish`);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('starts-in-past');
    });

    it('cancels once; a cancelled event cannot be edited or cancelled again', async () => {
      const event = await createPublished();
      const cancelled = await organizer.post(`/v1/events/${event.id}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');
      expect((await organizer.post(`/v1/events/${event.id}/cancel`)).status).toBe(409);
      expect((await organizer.patch(`/v1/events/${event.id}`, { title: 'Back on' })).status).toBe(
        409,
      );
      expect((await anonymous().get(`/v1/events/${event.id}`)).body.status).toBe('cancelled');
    });

    it('edits fields and refuses capacity below the confirmed count', async () => {
      const event = await createPublished({ capacity: 2 });
      const a = new TestClient(api.base);
      await a.signUp(uniqueEmail());
      const b = new TestClient(api.base);
      await b.signUp(uniqueEmail());
      expect((await a.post(`/v1/events/${event.id}/registrations`)).status).toBe(201);
      expect((await b.post(`/v1/events/${event.id}/registrations`)).status).toBe(201);
      const lower = await organizer.patch(`/v1/events/${event.id}`, { capacity: 1 });
      expect(lower.status).toBe(409);
      expect(lower.body.code).toBe('capacity-below-confirmed');
      const edited = await organizer.patch(`/v1/events/${event.id}`, {
        title: 'Jazz on the roof',
        tags: ['jazz', 'roof'],
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({
        title: 'Jazz on the roof',
        tags: ['jazz', 'roof'],
        confirmedCount: 2,
      });
      expect((await organizer.patch(`/v1/events/${event.id}`, {})).status).toBe(400);
    });

    it('lists published upcoming events with filters and keyset pagination that neither skips nor repeats', async () => {
      const city = `Testville-${Date.now()}`;
      const base = Date.now() + 30 * 86_400_000;
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const start = new Date(base + (i % 3) * 3_600_000); // ties on startsAt exercise the id tiebreak
        const e = await createPublished({
          startsAt: start.toISOString(),
          endsAt: new Date(start.getTime() + 3_600_000).toISOString(),
          venue: { name: 'Hall', city, lat: 1, lon: 1 },
          category: i % 2 ? 'tech' : 'food',
        });
        ids.push(e.id);
      }
      await organizer.post(
        '/v1/events',
        futureEvent({ venue: { name: 'Hall', city, lat: 1, lon: 1 } }),
      ); // a draft: never listed
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Reply = await anonymous().get(
          `/v1/events?city=${city.toLowerCase()}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(3);
        seen.push(...res.body.items.map((e: { id: string }) => e.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual([...ids].sort());
      const starts = (await anonymous().get(`/v1/events?city=${city}&limit=100`)).body.items.map(
        (e: { startsAt: string }) => e.startsAt,
      );
      expect(starts).toEqual([...starts].sort());
      const tech = await anonymous().get(`/v1/events?city=${city}&category=tech&limit=100`);
      expect(tech.body.items).toHaveLength(3);
      const window = await anonymous().get(
        `/v1/events?city=${city}&from=${encodeURIComponent(new Date(base + 3_600_000).toISOString())}&to=${encodeURIComponent(new Date(base + 2 * 3_600_000).toISOString())}`,
      );
      expect(
        window.body.items.every(
          (e: { startsAt: string }) => e.startsAt === new Date(base + 3_600_000).toISOString(),
        ),
      ).toBe(true);
      expect(window.body.items.length).toBeGreaterThan(0);
    });

    it('rejects bad query values and forged cursors with 400', async () => {
      expect((await anonymous().get('/v1/events?limit=0')).status).toBe(400);
      expect((await anonymous().get('/v1/events?limit=101')).status).toBe(400);
      expect((await anonymous().get('/v1/events?from=yesterday')).status).toBe(400);
      const forged = await anonymous().get('/v1/events?cursor=bm90LWEtY3Vyc29y');
      expect(forged.status).toBe(400);
      expect(forged.body.errors[0].path).toBe('query.cursor');
      expect((await anonymous().get('/v1/events/not-a-uuid')).status).toBe(400);
      expect(
        (await anonymous().get('/v1/events/0192f1d2-7c3a-7b11-8a3e-0f1e2d3c4b5a')).status,
      ).toBe(404);
    });

    it('lists my events in every state, newest first, and only mine', async () => {
      const me = new TestClient(api.base);
      await me.signUp(uniqueEmail());
      const a = (await me.post('/v1/events', futureEvent({ title: 'First' }))).body;
      const b = (await me.post('/v1/events', futureEvent({ title: 'Second' }))).body;
      await me.post(`/v1/events/${b.id}/publish`);
      const c = (await me.post('/v1/events', futureEvent({ title: 'Third' }))).body;
      await me.post(`/v1/events/${c.id}/cancel`);
      const page1 = await me.get('/v1/me/events?limit=2');
      expect(page1.body.items.map((e: { id: string }) => e.id)).toEqual([c.id, b.id]);
      const page2 = await me.get(`/v1/me/events?limit=2&cursor=${page1.body.nextCursor}`);
      expect(page2.body.items.map((e: { id: string }) => e.id)).toEqual([a.id]);
      expect(page2.body.nextCursor).toBeNull();
      expect((await anonymous().get('/v1/me/events')).status).toBe(401);
    });
  });
}
