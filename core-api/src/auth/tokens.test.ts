import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_TTL_SECONDS, AccessTokens } from './tokens.js';

describe('AccessTokens', () => {
  const tokens = new AccessTokens('a test secret that is long enough to sign with');
  const user = { id: '0190f3a2-7c1e-7000-8000-000000000001', role: 'user' as const };

  it('verifies its own tokens, again and again', async () => {
    const token = await tokens.sign(user);
    expect(await tokens.verify(token)).toEqual(user);
    expect(await tokens.verify(token)).toEqual(user);
  });

  it('refuses a token once it has expired, even one verified before', async () => {
    const now = Date.now();
    const token = await tokens.sign(user, now);
    expect(await tokens.verify(token, now)).toEqual(user);
    const later = now + (ACCESS_TOKEN_TTL_SECONDS + 1) * 1000;
    await expect(tokens.verify(token, later)).rejects.toThrow('Access token has expired');
  });

  it('refuses a tampered token, and one signed with another secret', async () => {
    const token = await tokens.sign(user);
    await tokens.verify(token);
    const [header, payload, signature] = token.split('.');
    const admin = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload!, 'base64url').toString()),
        role: 'admin',
      }),
    ).toString('base64url');
    await expect(tokens.verify(`${header}.${admin}.${signature}`)).rejects.toThrow(
      'Access token is not valid',
    );
    const foreign = await new AccessTokens('another secret, just as long as the first').sign(user);
    await expect(tokens.verify(foreign)).rejects.toThrow('Access token is not valid');
  });

  it('accepts a token another JWT library signed with our claims, and refuses other issuers, audiences and algorithms', async () => {
    const secret = 'a test secret that is long enough to sign with';
    const key = new TextEncoder().encode(secret);
    const jose = (claims: { iss?: string; aud?: string; alg?: string }) =>
      new SignJWT({ role: 'user' })
        .setProtectedHeader({ alg: claims.alg ?? 'HS256', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(claims.iss ?? 'events-platform')
        .setAudience(claims.aud ?? 'events-platform-api')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key);
    const fresh = new AccessTokens(secret);
    expect(await fresh.verify(await jose({}))).toEqual(user);
    for (const claims of [{ iss: 'someone-else' }, { aud: 'another-api' }, { alg: 'HS384' }]) {
      await expect(fresh.verify(await jose(claims))).rejects.toThrow('Access token is not valid');
    }
  });
});
