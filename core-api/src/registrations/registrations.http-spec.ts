import { domainMessageSchema } from '@platform/contracts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Backend, type TestApi } from '../testing/harness.js';
import { futureEvent, TestClient, uniqueEmail, type Reply } from '../testing/client.js';
import { metricSample } from '../testing/metrics.js';

/** Signs up `n` people in parallel. */
async function people(api: TestApi, n: number): Promise<TestClient[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const c = new TestClient(api.base);
      await c.signUp(uniqueEmail('attendee'));
      return c;
    }),
  );
}

/** The invariants that must hold after anything: checked in SQL, not through the API. */
export async function assertRegistrationInvariants(api: TestApi, eventId: string) {
  const { rows } = await sql<{
    capacity: number;
    confirmed_count: number;
    waitlist_count: number;
    confirmed: number;
    waitlisted: number;
    dup: number;
    positions: number[] | null;
  }>`
    SELECT e.capacity, e.confirmed_count, e.waitlist_count,
      (SELECT count(*)::int FROM registrations WHERE event_id = e.id AND status = 'confirmed') AS confirmed,
      (SELECT count(*)::int FROM registrations WHERE event_id = e.id AND status = 'waitlisted') AS waitlisted,
      (SELECT count(*)::int FROM (SELECT user_id FROM registrations WHERE event_id = e.id AND status <> 'cancelled'
         GROUP BY user_id HAVING count(*) > 1) d) AS dup,
      (SELECT array_agg(p ORDER BY p) FROM (SELECT row_number() OVER (ORDER BY waitlist_seq)::int AS p
         FROM registrations WHERE event_id = e.id AND status = 'waitlisted') w) AS positions
    FROM events e WHERE e.id = ${eventId}`.execute(api.db);
  const r = rows[0]!;
  expect(r.confirmed).toBeLessThanOrEqual(r.capacity);
  expect(r.confirmed_count).toBe(r.confirmed);
  expect(r.waitlist_count).toBe(r.waitlisted);
  expect(r.dup).toBe(0);
  expect(r.positions ?? []).toEqual(Array.from({ length: r.waitlisted }, (_, i) => i + 1));
  return r;
}

export function registrationsSpec(backend: Backend) {
  describe(`registrations API (${backend})`, () => {
    let api: TestApi;
    let organizer: TestClient;
    let clock = Date.now();

    beforeAll(async () => {
      api = await startTestApi(backend, { now: () => new Date(clock) });
      organizer = new TestClient(api.base);
      await organizer.signUp(uniqueEmail('organizer'));
    });
    afterAll(() => api.close());

    const published = async (overrides: Record<string, unknown> = {}) => {
      const created = await organizer.post('/v1/events', futureEvent(overrides));
      return (await organizer.post(`/v1/events/${created.body.id}/publish`)).body as { id: string };
    };

    it('confirms while seats last, then waitlists with a position; registering again returns the same registration', async () => {
      const event = await published({ capacity: 1 });
      const [a, b] = await people(api, 2);
      const first = await a!.post(`/v1/events/${event.id}/registrations`);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ status: 'confirmed', position: null, eventId: event.id });
      const second = await b!.post(`/v1/events/${event.id}/registrations`);
      expect(second.status).toBe(201);
      expect(second.body).toMatchObject({ status: 'waitlisted', position: 1 });
      const again = await b!.post(`/v1/events/${event.id}/registrations`);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(second.body);
      const after = (await a!.get(`/v1/events/${event.id}`)).body;
      expect(after).toMatchObject({ capacity: 1, confirmedCount: 1, waitlistCount: 1 });
      await assertRegistrationInvariants(api, event.id);
    });

    it('tells a person their own registration for an event, with its current position', async () => {
      const event = await published({ capacity: 1 });
      const [a, b, c] = await people(api, 3);
      expect((await a!.get(`/v1/events/${event.id}/registrations/me`)).status).toBe(404);
      for (const p of [a, b, c]) await p!.post(`/v1/events/${event.id}/registrations`);
      expect((await c!.get(`/v1/events/${event.id}/registrations/me`)).body).toMatchObject({
        status: 'waitlisted',
        position: 2,
      });
      await a!.delete(`/v1/events/${event.id}/registrations/me`);
      expect((await a!.get(`/v1/events/${event.id}/registrations/me`)).status).toBe(404);
      expect((await b!.get(`/v1/events/${event.id}/registrations/me`)).body).toMatchObject({
        status: 'confirmed',
        position: null,
      });
      expect((await c!.get(`/v1/events/${event.id}/registrations/me`)).body).toMatchObject({
        status: 'waitlisted',
        position: 1,
      });
      expect(
        (await new TestClient(api.base).get(`/v1/events/${event.id}/registrations/me`)).status,
      ).toBe(401);
    });

    it('gives a freed seat to the first person waiting and keeps positions contiguous', async () => {
      const event = await published({ capacity: 2 });
      const [a, b, c, d, e] = await people(api, 5);
      for (const p of [a, b, c, d, e]) await p!.post(`/v1/events/${event.id}/registrations`);
      // d (position 2) leaves the waitlist: e moves up to 2.
      expect((await d!.delete(`/v1/events/${event.id}/registrations/me`)).body.status).toBe(
        'cancelled',
      );
      expect((await e!.post(`/v1/events/${event.id}/registrations`)).body.position).toBe(2);
      // a frees a seat: c (head of the waitlist) is confirmed, e becomes 1.
      expect((await a!.delete(`/v1/events/${event.id}/registrations/me`)).status).toBe(200);
      expect((await c!.post(`/v1/events/${event.id}/registrations`)).body).toMatchObject({
        status: 'confirmed',
        position: null,
      });
      expect((await e!.post(`/v1/events/${event.id}/registrations`)).body).toMatchObject({
        status: 'waitlisted',
        position: 1,
      });
      expect((await a!.delete(`/v1/events/${event.id}/registrations/me`)).status).toBe(404);
      // a may register again, at the back of the queue.
      const back = await a!.post(`/v1/events/${event.id}/registrations`);
      expect(back.status).toBe(201);
      expect(back.body).toMatchObject({ status: 'waitlisted', position: 2 });
      await assertRegistrationInvariants(api, event.id);
    });

    it('promotes waitlisted people at once, in order, when capacity is raised', async () => {
      const event = await published({ capacity: 1 });
      const group = await people(api, 4);
      for (const p of group) await p.post(`/v1/events/${event.id}/registrations`);
      const raised = await organizer.patch(`/v1/events/${event.id}`, { capacity: 3 });
      expect(raised.body).toMatchObject({ capacity: 3, confirmedCount: 3, waitlistCount: 1 });
      const statuses = await Promise.all(
        group.map(async (p) => (await p.post(`/v1/events/${event.id}/registrations`)).body.status),
      );
      expect(statuses).toEqual(['confirmed', 'confirmed', 'confirmed', 'waitlisted']);
      await assertRegistrationInvariants(api, event.id);
    });

    it('counts registrations by outcome, cancellations and waitlist promotions on /metrics', async () => {
      const scrape = async () => (await fetch(`${api.base}/metrics`)).text();
      const counts = (text: string) => ({
        confirmed: metricSample(text, 'registrations_total', { outcome: 'confirmed' }),
        waitlisted: metricSample(text, 'registrations_total', { outcome: 'waitlisted' }),
        existing: metricSample(text, 'registrations_total', { outcome: 'existing' }),
        cancelled: metricSample(text, 'registration_cancellations_total', { status: 'confirmed' }),
        byCancellation: metricSample(text, 'waitlist_promotions_total', { cause: 'cancellation' }),
        byCapacity: metricSample(text, 'waitlist_promotions_total', { cause: 'capacity' }),
      });
      const before = counts(await scrape());
      const event = await published({ capacity: 1 });
      const [a, b, c] = await people(api, 3);
      for (const p of [a, b, c]) await p!.post(`/v1/events/${event.id}/registrations`);
      await b!.post(`/v1/events/${event.id}/registrations`);
      await a!.delete(`/v1/events/${event.id}/registrations/me`);
      await organizer.patch(`/v1/events/${event.id}`, { capacity: 2 });
      expect(counts(await scrape())).toEqual({
        confirmed: before.confirmed + 1,
        waitlisted: before.waitlisted + 2,
        existing: before.existing + 1,
        cancelled: before.cancelled + 1,
        byCancellation: before.byCancellation + 1,
        byCapacity: before.byCapacity + 1,
      });
    });

    it('refuses registration for drafts (404 to others), cancelled and started events (409)', async () => {
      const [p] = await people(api, 1);
      const draft = (await organizer.post('/v1/events', futureEvent())).body;
      expect((await p!.post(`/v1/events/${draft.id}/registrations`)).status).toBe(404);
      expect((await organizer.post(`/v1/events/${draft.id}/registrations`)).status).toBe(409);
      const cancelled = await published();
      await organizer.post(`/v1/events/${cancelled.id}/cancel`);
      const closed = await p!.post(`/v1/events/${cancelled.id}/registrations`);
      expect(closed.status).toBe(409);
      expect(closed.body.code).toBe('event-cancelled');

      const soon = await published({
        startsAt: new Date(clock + 3_600_000).toISOString(),
        endsAt: new Date(clock + 7_200_000).toISOString(),
      });
      expect((await p!.post(`/v1/events/${soon.id}/registrations`)).status).toBe(201);
      clock += 2 * 3_600_000;
      try {
        const late = await (await people(api, 1))[0]!.post(`/v1/events/${soon.id}/registrations`);
        expect(late.status).toBe(409);
        expect(late.body.code).toBe('event-started');
        expect((await p!.delete(`/v1/events/${soon.id}/registrations/me`)).status).toBe(409);
      } finally {
        clock = Date.now();
      }
      expect(
        (await new TestClient(api.base).post(`/v1/events/${soon.id}/registrations`)).status,
      ).toBe(401);
    });

    it('never overbooks under concurrent registrations and keeps the waitlist contiguous', async () => {
      const event = await published({ capacity: 5 });
      const crowd = await people(api, 40);
      const results = await Promise.all(
        crowd.map((p) => p.post(`/v1/events/${event.id}/registrations`)),
      );
      expect(results.every((r) => r.status === 201)).toBe(true);
      expect(results.filter((r) => r.body.status === 'confirmed')).toHaveLength(5);
      const positions = results
        .filter((r) => r.body.status === 'waitlisted')
        .map((r) => r.body.position)
        .sort((x, y) => x - y);
      expect(positions).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
      const r = await assertRegistrationInvariants(api, event.id);
      expect(r).toMatchObject({ confirmed: 5, waitlisted: 35 });
    });

    it('shows attendees and the waitlist to the organizer only, paginated, with positions', async () => {
      const event = await published({ capacity: 3 });
      const group = await people(api, 8);
      for (const p of group) await p.post(`/v1/events/${event.id}/registrations`);
      const confirmed: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Reply = await organizer.get(
          `/v1/events/${event.id}/attendees?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        confirmed.push(
          ...page.body.items.map(
            (a: { status: string; user: { email: string } }) => (
              expect(a.status).toBe('confirmed'),
              a.user.email
            ),
          ),
        );
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(confirmed).toHaveLength(3);
      const w1 = await organizer.get(`/v1/events/${event.id}/attendees?status=waitlisted&limit=3`);
      const w2 = await organizer.get(
        `/v1/events/${event.id}/attendees?status=waitlisted&limit=3&cursor=${w1.body.nextCursor}`,
      );
      expect(
        [...w1.body.items, ...w2.body.items].map((a: { position: number }) => a.position),
      ).toEqual([1, 2, 3, 4, 5]);
      expect(w2.body.nextCursor).toBeNull();
      expect((await group[0]!.get(`/v1/events/${event.id}/attendees`)).status).toBe(403);
      expect((await new TestClient(api.base).get(`/v1/events/${event.id}/attendees`)).status).toBe(
        401,
      );
      const draft = (await organizer.post('/v1/events', futureEvent())).body;
      expect((await group[0]!.get(`/v1/events/${draft.id}/attendees`)).status).toBe(404);
    });

    it('lists my registrations with their events and waitlist positions', async () => {
      const [me] = await people(api, 1);
      const full = await published({ capacity: 1, title: 'Full house' });
      await (await people(api, 1))[0]!.post(`/v1/events/${full.id}/registrations`);
      const open = await published({ title: 'Plenty of room' });
      await me!.post(`/v1/events/${full.id}/registrations`);
      await me!.post(`/v1/events/${open.id}/registrations`);
      const mine = await me!.get('/v1/me/registrations?when=upcoming');
      expect(mine.status).toBe(200);
      expect(
        mine.body.items.map(
          (r: { event: { title: string }; status: string; position: number | null }) => [
            r.event.title,
            r.status,
            r.position,
          ],
        ),
      ).toEqual([
        ['Plenty of room', 'confirmed', null],
        ['Full house', 'waitlisted', 1],
      ]);
      expect((await me!.get('/v1/me/registrations?when=past')).body.items).toEqual([]);
    });

    it('writes one valid domain message per change to the outbox, in order', async () => {
      const event = await published({ capacity: 1 });
      const [a, b] = await people(api, 2);
      await a!.post(`/v1/events/${event.id}/registrations`);
      await b!.post(`/v1/events/${event.id}/registrations`);
      await a!.delete(`/v1/events/${event.id}/registrations/me`);
      const rows = await api.db
        .selectFrom('outbox')
        .selectAll()
        .where('aggregate_id', '=', event.id)
        .orderBy('seq')
        .execute();
      expect(rows.map((r) => r.subject)).toEqual([
        'platform.event.created',
        'platform.event.published',
        'platform.registration.confirmed',
        'platform.registration.waitlisted',
        'platform.registration.cancelled',
        'platform.registration.promoted',
      ]);
      const messages = rows.map((r) => domainMessageSchema.parse(r.message));
      const revisions = messages.map((m) =>
        'eventRevision' in m.data
          ? m.data.eventRevision
          : (m.data as { revision: number }).revision,
      );
      expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
      expect(new Set(revisions).size).toBe(revisions.length);
      expect(messages.at(-1)!.data).toMatchObject({
        userId: expect.any(String),
        status: 'confirmed',
        confirmedCount: 1,
        waitlistCount: 0,
      });
      expect(rows.every((r) => r.headers.origin === 'core-api' && r.published_at === null)).toBe(
        true,
      );
    });
  });
}
