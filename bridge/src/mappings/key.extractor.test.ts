import { describe, expect, it } from 'vitest';
import { extractKey, type KeySource } from './key.extractor.js';

function source(
  topic: string,
  payload: string,
  headers: Record<string, string> = {},
  key: string | null = 'src',
): KeySource {
  return { message: { topic, key, headers }, payload: () => JSON.parse(payload) as unknown };
}

describe('key extraction', () => {
  const msg = source(
    'platform.registration.confirmed',
    '{"aggregateId":"ev-1","data":{"userId":"u-9","n":42}}',
    {
      'user-id': 'u-header',
    },
  );

  it('keeps the source key', () => {
    expect(extractKey({ from: 'source' }, msg)).toEqual({ ok: true, key: 'src' });
    expect(extractKey({ from: 'source' }, source('a', '{}', {}, null))).toEqual({
      ok: true,
      key: null,
    });
  });

  it('takes a subject token, counting from the end when negative', () => {
    expect(extractKey({ from: 'subject', token: 1 }, msg)).toEqual({
      ok: true,
      key: 'registration',
    });
    expect(extractKey({ from: 'subject', token: -1 }, msg)).toEqual({ ok: true, key: 'confirmed' });
    expect(extractKey({ from: 'subject', token: 3 }, msg)).toEqual({
      ok: false,
      reason: 'no key: "platform.registration.confirmed" has no token 3',
    });
  });

  it('takes a header', () => {
    expect(extractKey({ from: 'header', name: 'user-id' }, msg)).toEqual({
      ok: true,
      key: 'u-header',
    });
    expect(extractKey({ from: 'header', name: 'tenant' }, msg)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('"tenant"'),
    });
  });

  it('takes a payload field, nested fields by dots, numbers as text', () => {
    expect(extractKey({ from: 'payload', field: 'aggregateId' }, msg)).toEqual({
      ok: true,
      key: 'ev-1',
    });
    expect(extractKey({ from: 'payload', field: 'data.userId' }, msg)).toEqual({
      ok: true,
      key: 'u-9',
    });
    expect(extractKey({ from: 'payload', field: 'data.n' }, msg)).toEqual({ ok: true, key: '42' });
  });

  it('fails with a reason when the payload field is missing, not a scalar, or the payload is not JSON', () => {
    expect(extractKey({ from: 'payload', field: 'data.missing' }, msg)).toEqual({
      ok: false,
      reason: 'no key: payload field "data.missing" is missing',
    });
    expect(extractKey({ from: 'payload', field: 'data' }, msg)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not a string or number'),
    });
    expect(extractKey({ from: 'payload', field: 'constructor' }, msg)).toMatchObject({ ok: false });
    expect(extractKey({ from: 'payload', field: 'a' }, source('x', 'not json'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('payload is not JSON'),
    });
  });
});
