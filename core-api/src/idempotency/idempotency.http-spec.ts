import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from './idempotency.middleware.js';
import { startTestApi, type Backend, type TestApi } from '../testing/harness.js';
import { futureEvent, TestClient, uniqueEmail } from '../testing/client.js';

export function idempotencySpec(backend: Backend) {
  describe(`Idempotency-Key (${backend})`, () => {
    let api: TestApi;
    let client: TestClient;
    beforeAll(async () => {
      api = await startTestApi(backend);
      client = new TestClient(api.base);
      await client.signUp(uniqueEmail());
    });
    afterAll(() => api.close());

    it('replays the first response byte for byte for a retry with the same key and body', async () => {
      const body = futureEvent({ title: 'Only once' });
      const first = await client.post('/v1/events', body, {
        headers: { 'idempotency-key': 'create-1' },
      });
      const retry = await client.post('/v1/events', body, {
        headers: { 'idempotency-key': 'create-1' },
      });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.text).toBe(first.text);
      expect(retry.headers.get('location')).toBe(first.headers.get('location'));
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      const mine = await client.get('/v1/me/events?limit=100');
      expect(
        mine.body.items.filter((e: { title: string }) => e.title === 'Only once'),
      ).toHaveLength(1);
    });

    it('treats the same payload with keys in another order as the same request', async () => {
      const body = futureEvent({ title: 'Key order' });
      const reordered = Object.fromEntries(Object.entries(body).reverse());
      const first = await client.post('/v1/events', body, {
        headers: { 'idempotency-key': 'order-1' },
      });
      const retry = await client.post('/v1/events', reordered, {
        headers: { 'idempotency-key': 'order-1' },
      });
      expect(retry.text).toBe(first.text);
    });

    it('answers 422 for the same key with a different body', async () => {
      await client.post('/v1/events', futureEvent({ title: 'Original' }), {
        headers: { 'idempotency-key': 'create-2' },
      });
      const other = await client.post('/v1/events', futureEvent({ title: 'Different' }), {
        headers: { 'idempotency-key': 'create-2' },
      });
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('idempotency-key-reused');
    });

    it('answers 409 while the first request with the key is still running', async () => {
      const body = futureEvent({ title: 'In flight' });
      const me = (await client.get('/v1/me')).body as { id: string };
      // Simulate the first request still running: its claim is there, with no response yet.
      const fingerprint = createHash('sha256')
        .update(`POST /v1/events\n${canonicalJson(body)}`)
        .digest();
      await api.db
        .insertInto('idempotency_keys')
        .values({ scope: `user:${me.id}`, key: 'running-1', fingerprint, state: 'running' })
        .execute();
      const res = await client.post('/v1/events', body, {
        headers: { 'idempotency-key': 'running-1' },
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('idempotency-key-in-use');
    });

    it('scopes keys to the caller', async () => {
      const other = new TestClient(api.base);
      await other.signUp(uniqueEmail());
      const body = futureEvent({ title: 'Shared key' });
      const mine = await client.post('/v1/events', body, {
        headers: { 'idempotency-key': 'shared' },
      });
      const theirs = await other.post('/v1/events', body, {
        headers: { 'idempotency-key': 'shared' },
      });
      expect(theirs.status).toBe(201);
      expect(theirs.body.id).not.toBe(mine.body.id);
      expect(theirs.body.organizerId).not.toBe(mine.body.organizerId);
    });

    it('does not store failed validation: the corrected retry with the same key runs', async () => {
      const bad = await client.post('/v1/events', futureEvent({ capacity: -1 }), {
        headers: { 'idempotency-key': 'fix-me' },
      });
      expect(bad.status).toBe(400);
      const good = await client.post('/v1/events', futureEvent({ capacity: 10 }), {
        headers: { 'idempotency-key': 'fix-me' },
      });
      expect(good.status).toBe(201);
    });

    it('replays a registration after a lost response instead of registering twice', async () => {
      const event = (await client.post('/v1/events', futureEvent({ capacity: 1 }))).body;
      await client.post(`/v1/events/${event.id}/publish`);
      const attendee = new TestClient(api.base);
      await attendee.signUp(uniqueEmail());
      const first = await attendee.post(`/v1/events/${event.id}/registrations`, undefined, {
        headers: { 'idempotency-key': 'reg-1' },
      });
      const retry = await attendee.post(`/v1/events/${event.id}/registrations`, undefined, {
        headers: { 'idempotency-key': 'reg-1' },
      });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.text).toBe(first.text);
    });

    it('refuses malformed keys', async () => {
      const res = await client.post('/v1/events', futureEvent(), {
        headers: { 'idempotency-key': 'x'.repeat(300) },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('bad-idempotency-key');
    });
  });
}
