import {
  expandInteractions,
  interactionMessageSchema,
  subjects,
  topics,
  type Interaction,
  type RecommendationsResponse,
} from '@platform/contracts';
import { createLogger, newId } from '@platform/kit';
import { runTraining } from '@platform/ml';
import { ModelRegistry } from '@platform/ml/serving';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokens } from '../auth/tokens.js';
import { domainMessage } from '../outbox/outbox.writer.js';
import { TestClient, uniqueEmail } from '../testing/client.js';
import { startTestApi, type Backend, type TestApi } from '../testing/harness.js';
import { insertTopicEvent, plantWorld, TOPICS, type PlantedWorld } from './planted.fixture.js';

export function recommendationsSpec(backend: Backend) {
  describe(`recommendations (${backend})`, () => {
    let api: TestApi;
    let world: PlantedWorld;
    let admin: TestClient;
    let tokens: AccessTokens;
    const as = async (userId: string): Promise<TestClient> => {
      const client = new TestClient(api.base);
      client.token = await tokens.sign({ id: userId, role: 'user' });
      return client;
    };
    const categoryOf = (eventId: string): string =>
      TOPICS[world.events.findIndex((ids) => ids.includes(eventId))]?.category ?? 'other';

    beforeAll(async () => {
      api = await startTestApi(backend, { adminEmails: ['ml-admin@example.com'] });
      tokens = new AccessTokens(api.jwtSecret);
      world = await plantWorld(api.sql);
      await api.recommendations.refreshCatalogue();
      admin = new TestClient(api.base);
      await admin.signUp('ml-admin@example.com');
    }, 120_000);
    afterAll(() => api.close());

    it('serves trending events, filtered by city, before any model exists', async () => {
      const res = await new TestClient(api.base).get<RecommendationsResponse>(
        '/v1/recommendations?limit=5&city=lyon',
      );
      expect(res.status).toBe(200);
      expect(res.body.strategy).toBe('trending');
      expect(res.body.modelVersion).toBeNull();
      expect(res.body.items).toHaveLength(5);
      for (const item of res.body.items) expect(item.event.venue.city).toBe('Lyon');
      const trending = await new TestClient(api.base).get<RecommendationsResponse>(
        '/v1/trending?category=tech&limit=3',
      );
      expect(trending.body.items.map((i) => i.event.category)).toEqual(['tech', 'tech', 'tech']);
    });

    it('sends lists as JSON with a length and no ETag (each is built anew and recorded)', async () => {
      const client = new TestClient(api.base);
      for (const path of ['/v1/recommendations?limit=3', '/v1/trending?limit=3']) {
        const res = await client.get(path);
        expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(res.text));
        expect(res.headers.get('etag')).toBeNull();
      }
      // Other JSON responses keep Express's ETag.
      expect((await client.get('/v1/events?limit=3')).headers.get('etag')).toMatch(/^W\/"/);
    });

    it('keeps model management for admins', async () => {
      expect((await new TestClient(api.base).post('/v1/admin/ml/retrain', {})).status).toBe(401);
      const person = new TestClient(api.base);
      await person.signUp(uniqueEmail());
      expect((await person.post('/v1/admin/ml/retrain', {})).status).toBe(403);
      expect((await person.get('/v1/admin/ml/models')).status).toBe(403);
    });

    it('trains on request, one run at a time, and promotes a model that beats popularity', async () => {
      const first = await admin.post('/v1/admin/ml/retrain', {});
      expect(first.status).toBe(202);
      expect(first.body.status).toBe('queued');
      const second = await admin.post('/v1/admin/ml/retrain', {});
      expect(second.body).toEqual({ jobId: first.body.jobId, status: 'already-running' });
      await expect
        .poll(async () => (await admin.get('/v1/admin/ml/models')).body.training, {
          timeout: 60_000,
          interval: 200,
        })
        .toBe(false);
      const models = await admin.get('/v1/admin/ml/models');
      expect(models.status).toBe(200);
      const live = models.body.live;
      expect(live.status).toBe('live');
      expect(live.users).toBe(world.people.length);
      expect(live.metrics.live).toBeNull();
      expect(live.metrics.candidate.ndcg10).toBeGreaterThan(live.metrics.popularity.ndcg10 + 0.1);
    }, 90_000);

    it('recommends upcoming events of the person’s taste, never ones they registered for, with reasons', async () => {
      await api.recommendations.reload();
      expect(api.recommendations.modelVersion).not.toBeNull();
      let onTopic = 0;
      let total = 0;
      for (const person of world.people.filter((_, i) => i % 8 === 0)) {
        const res = await (
          await as(person.id)
        ).get<RecommendationsResponse>('/v1/recommendations?limit=10');
        expect(res.status).toBe(200);
        expect(res.body.strategy).toBe('personalised');
        expect(res.body.modelVersion).toBe(api.recommendations.modelVersion);
        expect(res.body.items.length).toBe(10);
        for (const item of res.body.items) {
          expect(person.registered).not.toContain(item.event.id);
          expect(item.reasons.length).toBeGreaterThan(0);
          expect(Date.parse(item.event.startsAt)).toBeGreaterThan(Date.now());
        }
        // Diversity: one taste does not fill the whole list.
        expect(new Set(res.body.items.map((i) => i.event.category)).size).toBeGreaterThan(1);
        // The head of the list is the person's topic; diversity mixes in others lower down.
        for (const item of res.body.items.slice(0, 5)) {
          total++;
          if (item.event.category === TOPICS[person.topic]!.category) onTopic++;
        }
      }
      // Chance would be a quarter; diversity and trend keep it below 1 on purpose.
      expect(onTopic / total).toBeGreaterThan(0.7);
    });

    it('answers people asking at the same moment from their own histories (read together)', async () => {
      // People not asked for before, so their histories are read now, in one batch or a few.
      const crowd = world.people.filter((_, i) => i % 8 === 3);
      const answers = await Promise.all(
        crowd.map(async (person) =>
          (await as(person.id)).get<RecommendationsResponse>('/v1/recommendations?limit=10'),
        ),
      );
      answers.forEach((res, i) => {
        const person = crowd[i]!;
        expect(res.status).toBe(200);
        expect(res.body.strategy).toBe('personalised');
        for (const item of res.body.items) {
          expect(person.registered).not.toContain(item.event.id);
          for (const reason of item.reasons.filter((r) => r.kind === 'history'))
            expect(person.registered).toContain(reason.eventId);
        }
      });
    });

    it('drops an event from the next list once the person registers, here or on another instance', async () => {
      const [here, elsewhere] = world.people.slice(1, 3);
      const ids = async (personId: string) =>
        (
          await (await as(personId)).get<RecommendationsResponse>('/v1/recommendations?limit=10')
        ).body.items.map((i) => i.event.id);

      // Through this instance: gone from the very next answer.
      const picked = (await ids(here!.id))[0]!;
      const registered = await (await as(here!.id)).post(`/v1/events/${picked}/registrations`, {});
      expect(registered.status).toBe(201);
      here!.registered.push(picked);
      expect(await ids(here!.id)).not.toContain(picked);

      // Through another instance: the row is committed there, and its message arrives here.
      const other = (await ids(elsewhere!.id))[0]!;
      await api.sql.query(
        `INSERT INTO registrations (id, event_id, user_id, status) VALUES ($1, $2, $3, 'confirmed')`,
        [newId(), other, elsewhere!.id],
      );
      elsewhere!.registered.push(other);
      const change = domainMessage('registration.confirmed', other, {
        registrationId: newId(),
        eventId: other,
        userId: elsewhere!.id,
        status: 'confirmed',
        position: null,
        capacity: 100,
        confirmedCount: 1,
        waitlistCount: 0,
        eventRevision: 2,
      });
      await api.natsLog.publish([
        {
          topic: subjects.registrationConfirmed,
          key: other,
          value: Buffer.from(JSON.stringify(change)),
          headers: {},
        },
      ]);
      await expect.poll(() => ids(elsewhere!.id), { timeout: 5_000 }).not.toContain(other);
    });

    it('places a new event nobody registered for before the people whose history matches its text', async () => {
      // Topic 0 (music) events with new titles: no registrations, so no collaborative factors.
      const fresh = [
        await insertTopicEvent(api.sql, world.organizerId, 0, 3, 5 * 86_400_000),
        await insertTopicEvent(api.sql, world.organizerId, 0, 4, 6 * 86_400_000),
      ];
      await api.recommendations.refreshCatalogue();
      let musicFans = 0;
      let others = 0;
      for (const person of world.people.filter((_, i) => i % 4 === 0)) {
        const res = await (
          await as(person.id)
        ).get<RecommendationsResponse>('/v1/recommendations?limit=10');
        const shown = res.body.items.some((i) => fresh.includes(i.event.id));
        if (person.topic === 0) musicFans += shown ? 1 : 0;
        else others += shown ? 1 : 0;
      }
      // 5 music fans and 15 others were asked.
      expect(musicFans).toBeGreaterThanOrEqual(4);
      expect(others).toBeLessThanOrEqual(3);
    });

    it('explains with the event from the person’s history that the recommendation is like', async () => {
      const person = world.people[0]!;
      const res = await (
        await as(person.id)
      ).get<RecommendationsResponse>('/v1/recommendations?limit=5');
      const history = res.body.items.flatMap((i) => i.reasons).filter((r) => r.kind === 'history');
      expect(history.length).toBeGreaterThan(0);
      for (const reason of history) expect(person.registered).toContain(reason.eventId);
    });

    it('folds in a brand-new person from the registrations they made after training', async () => {
      const fresh = new TestClient(api.base);
      const user = await fresh.signUp(uniqueEmail('newcomer'));
      const before = await fresh.get<RecommendationsResponse>('/v1/recommendations?limit=5');
      expect(before.body.strategy).toBe('trending');
      for (const eventId of world.events[1]!.slice(0, 3)) {
        expect((await fresh.post(`/v1/events/${eventId}/registrations`, {})).status).toBe(201);
      }
      const after = await fresh.get<RecommendationsResponse>('/v1/recommendations?limit=5');
      expect(after.body.strategy).toBe('personalised');
      const tech = after.body.items.filter((i) => i.event.category === 'tech').length;
      expect(tech).toBeGreaterThanOrEqual(3);
      for (const item of after.body.items) {
        expect(world.events[1]!.slice(0, 3)).not.toContain(item.event.id);
      }
      expect(user.id).toBeTruthy();
    });

    it('finds similar events, and answers 404 for an unknown one', async () => {
      const eventId = world.events[2]![0]!;
      const res = await new TestClient(api.base).get<RecommendationsResponse>(
        `/v1/events/${eventId}/similar?limit=5`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.map((i) => i.event.id)).not.toContain(eventId);
      const food = res.body.items.filter((i) => categoryOf(i.event.id) === 'food').length;
      expect(food).toBeGreaterThanOrEqual(4);
      const missing = await new TestClient(api.base).get(
        '/v1/events/0192f1d2-7c3a-7b11-8a3e-000000000999/similar',
      );
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
      expect((await new TestClient(api.base).get('/v1/events/nope/similar')).status).toBe(400);
    });

    it('records every served list as impressions with its surface, in one record', async () => {
      const person = world.people[3]!;
      const received: Interaction[][] = [];
      const sub = await api.kafkaLog.consume({
        group: `impressions-${Date.now()}`,
        topics: [topics.interactions],
        from: 'end',
        handle: async (batch) => {
          for (const d of batch) {
            // Only this person's: impressions of earlier tests' lists may still be lingering.
            const interactions = expandInteractions(
              interactionMessageSchema.parse(JSON.parse(Buffer.from(d.value).toString())),
            );
            if (interactions[0]!.userId === person.id) received.push(interactions);
            d.ack();
          }
        },
      });
      const res = await (
        await as(person.id)
      ).get<RecommendationsResponse>('/v1/recommendations?limit=4');
      await expect.poll(() => received.length, { timeout: 5_000 }).toBe(1);
      await sub.stop();
      expect(received[0]!.map((i) => [i.type, i.surface, i.eventId, i.position, i.userId])).toEqual(
        res.body.items.map((item, position) => [
          'impression',
          'recommendations',
          item.event.id,
          position,
          person.id,
        ]),
      );
    });

    it('refuses to promote a model worse than the live one, and keeps serving the live one', async () => {
      const registry = new ModelRegistry(api.sql);
      const liveBefore = await registry.liveVersion();
      // New registrations since the live model learnt: the holdout both models are judged on.
      for (const person of world.people.slice(0, 24)) {
        const next = world.events[person.topic]!.find((id) => !person.registered.includes(id))!;
        await api.sql.query(
          `INSERT INTO registrations (id, event_id, user_id, status) VALUES ($1, $2, $3, 'confirmed')`,
          [newId(), next, person.id],
        );
        person.registered.push(next);
      }
      const outcome = await runTraining({
        db: api.sql,
        analytics: null,
        log: api.kafkaLog,
        logger: createLogger({ service: 'test', level: 'silent' }),
        // One factor cannot tell four tastes apart: little better than ranking by popularity.
        settings: { factors: 1, iterations: 2, promotionMargin: 0.01 },
      });
      expect(outcome.outcome).toBe('rejected');
      const runs = await registry.list(5);
      const rejected = runs.find((r) => r.version === outcome.version)!;
      expect(rejected.status).toBe('rejected');
      expect(rejected.reason).toMatch(/below the live model/);
      expect(rejected.metrics!.live!.ndcg10).toBeGreaterThan(rejected.metrics!.candidate.ndcg10);
      expect(await registry.liveVersion()).toBe(liveBefore);
    }, 60_000);

    it('swaps a newly promoted model in under load without failing a request', async () => {
      const people = world.people.slice(0, 8);
      const clients = await Promise.all(people.map((p) => as(p.id)));
      const versions = new Set<number | null>();
      const statuses: number[] = [];
      let stop = false;
      const load = clients.map(async (client) => {
        while (!stop) {
          const res = await client.get<RecommendationsResponse>('/v1/recommendations?limit=5');
          statuses.push(res.status);
          if (res.status === 200) versions.add(res.body.modelVersion);
        }
      });
      const before = api.recommendations.modelVersion;
      const outcome = await runTraining({
        db: api.sql,
        analytics: null,
        log: api.kafkaLog,
        logger: createLogger({ service: 'test', level: 'silent' }),
        settings: { factors: 16, iterations: 8, promotionMargin: 1 },
      });
      expect(outcome.outcome).toBe('promoted');
      await api.recommendations.reload();
      // Let requests run on the new model for a moment.
      const served = statuses.length;
      await expect.poll(() => statuses.length, { timeout: 10_000 }).toBeGreaterThan(served + 20);
      stop = true;
      await Promise.all(load);
      expect(api.recommendations.modelVersion).toBe(outcome.version);
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(versions).toEqual(new Set([before, outcome.version]));
    }, 90_000);
  });
}
