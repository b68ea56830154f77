import { describe, expect, it } from 'vitest';
import { fakeFetch } from '../test/render.js';
import { ApiClient, queryString } from './api-client.js';
import { ApiError } from './api-error.js';

describe('ApiClient', () => {
  it('refreshes once on 401 and retries with the new token, however many requests failed', async () => {
    let refreshes = 0;
    const api = fakeFetch({
      'POST /v1/auth/refresh': () => ({ body: { accessToken: `fresh-${++refreshes}` } }),
      'GET /v1/me': (_url, init) =>
        new Headers(init.headers).get('authorization') === 'Bearer fresh-1'
          ? { body: { id: 'me' } }
          : { status: 401, body: { type: 'x', title: 'Unauthorized', status: 401 } },
    });
    const client = new ApiClient({ fetch: api.fetch });
    client.setToken('expired');
    const answers = await Promise.all([
      client.get('/v1/me'),
      client.get('/v1/me'),
      client.get('/v1/me'),
    ]);
    expect(answers).toEqual([{ id: 'me' }, { id: 'me' }, { id: 'me' }]);
    expect(refreshes).toBe(1);
    expect(client.token).toBe('fresh-1');
  });

  it('ends the session when the refresh cookie is no longer good', async () => {
    const api = fakeFetch({
      'POST /v1/auth/refresh': () => ({
        status: 401,
        body: { type: 'x', title: 'No', status: 401 },
      }),
      'GET /v1/me': () => ({
        status: 401,
        body: { type: 'x', title: 'Unauthorized', status: 401 },
      }),
    });
    const client = new ApiClient({ fetch: api.fetch });
    client.setToken('expired');
    let ended = false;
    client.onSessionEnded = () => (ended = true);
    await expect(client.get('/v1/me')).rejects.toBeInstanceOf(ApiError);
    expect(ended).toBe(true);
    expect(client.token).toBeUndefined();
  });

  it('turns problem details into an ApiError with field messages', async () => {
    const api = fakeFetch({
      'POST /v1/events': () => ({
        status: 400,
        body: {
          type: 'x',
          title: 'Invalid request',
          status: 400,
          errors: [{ path: 'body.venue.city', message: 'required' }],
        },
      }),
    });
    const error = (await new ApiClient({ fetch: api.fetch })
      .post('/v1/events', {})
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.fieldErrors()).toEqual({ 'venue.city': 'required' });
  });

  it('builds query strings from the values that are set', () => {
    expect(queryString({ a: 1, b: undefined, c: '', d: 'x y' })).toBe('?a=1&d=x+y');
    expect(queryString({})).toBe('');
  });
});
