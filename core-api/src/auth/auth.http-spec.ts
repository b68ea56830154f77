import { jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Backend, type TestApi } from '../testing/harness.js';
import { TestClient, uniqueEmail } from '../testing/client.js';

export function authSpec(backend: Backend) {
  describe(`auth API (${backend})`, () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi(backend, { adminEmails: ['boss@example.com'] });
    });
    afterAll(() => api.close());

    it('registers with a normalised email, returns a 15-minute access token and sets a safe refresh cookie', async () => {
      const client = new TestClient(api.base);
      const email = uniqueEmail('Mixed.Case');
      const res = await client.post('/v1/auth/register', {
        email: `  ${email.toUpperCase()} `,
        password: 'long enough pass',
        name: 'Ada',
      });
      expect(res.status).toBe(201);
      expect(res.body.user).toMatchObject({
        email: email.toLowerCase(),
        name: 'Ada',
        role: 'user',
      });
      expect(res.body.user.password_hash).toBeUndefined();
      const { payload } = await jwtVerify(
        res.body.accessToken,
        new TextEncoder().encode(api.jwtSecret),
      );
      expect(payload.sub).toBe(res.body.user.id);
      expect(payload.exp! - payload.iat!).toBe(15 * 60);
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^refresh_token=[A-Za-z0-9_-]{43};/);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('Secure');
      expect(cookie).toContain('SameSite=Strict');
      expect(cookie).toContain('Path=/v1/auth');
    });

    it('refuses a duplicate email (409), a short password and a malformed email (400 naming the field)', async () => {
      const email = uniqueEmail();
      await new TestClient(api.base).signUp(email);
      const dup = await new TestClient(api.base).post('/v1/auth/register', {
        email: email.toUpperCase(),
        password: 'another long one',
        name: 'B',
      });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('email-taken');
      const short = await new TestClient(api.base).post('/v1/auth/register', {
        email: uniqueEmail(),
        password: 'short',
        name: 'C',
      });
      expect(short.status).toBe(400);
      expect(short.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.password']);
      const bad = await new TestClient(api.base).post('/v1/auth/register', {
        email: 'not-an-email',
        password: 'long enough pass',
        name: 'D',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.email']);
    });

    it('logs in with the right password only, with the same answer for an unknown email', async () => {
      const email = uniqueEmail();
      await new TestClient(api.base).signUp(email, 'Ada', 'right password here');
      const ok = await new TestClient(api.base).post('/v1/auth/login', {
        email,
        password: 'right password here',
      });
      expect(ok.status).toBe(200);
      expect(ok.body.accessToken).toBeTypeOf('string');
      const wrong = await new TestClient(api.base).post('/v1/auth/login', {
        email,
        password: 'wrong password here',
      });
      const unknown = await new TestClient(api.base).post('/v1/auth/login', {
        email: uniqueEmail(),
        password: 'whatever it is',
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body.detail).toBe(unknown.body.detail);
    });

    it('rotates the refresh token on every use and revokes the whole family when an old one is replayed', async () => {
      const client = new TestClient(api.base);
      await client.signUp(uniqueEmail());
      const first = client.cookie!;
      const r1 = await client.post('/v1/auth/refresh');
      expect(r1.status).toBe(200);
      const second = client.cookie!;
      expect(second).not.toBe(first);
      expect((await client.get('/v1/me', { token: r1.body.accessToken })).status).toBe(200);

      // An attacker replays the first (rotated) token: the family dies, including `second`.
      const attacker = new TestClient(api.base);
      attacker.cookie = first;
      const replay = await attacker.post('/v1/auth/refresh');
      expect(replay.status).toBe(401);
      expect(replay.body.detail).toMatch(/already used/);
      const legit = await client.post('/v1/auth/refresh');
      expect(legit.status).toBe(401);
    });

    it('logout revokes the family and clears the cookie', async () => {
      const client = new TestClient(api.base);
      await client.signUp(uniqueEmail());
      const cookie = client.cookie!;
      const out = await client.post('/v1/auth/logout');
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/refresh_token=;.*Max-Age=0/);
      const again = new TestClient(api.base);
      again.cookie = cookie;
      expect((await again.post('/v1/auth/refresh')).status).toBe(401);
    });

    it('refresh without a cookie or with a forged one is 401', async () => {
      expect((await new TestClient(api.base).post('/v1/auth/refresh')).status).toBe(401);
      const forged = new TestClient(api.base);
      forged.cookie = 'refresh_token=' + 'A'.repeat(43);
      expect((await forged.post('/v1/auth/refresh')).status).toBe(401);
    });

    it('rejects expired, tampered and wrongly signed access tokens with 401', async () => {
      const client = new TestClient(api.base);
      const user = await client.signUp(uniqueEmail());
      const key = new TextEncoder().encode(api.jwtSecret);
      const expired = await new SignJWT({ role: 'user' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.id)
        .setIssuer('events-platform')
        .setAudience('events-platform-api')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 1800)
        .sign(key);
      const res = await client.get('/v1/me', { token: expired });
      expect(res.status).toBe(401);
      expect(res.body.detail).toMatch(/expired/);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      const tampered = client.token!.slice(0, -2) + (client.token!.endsWith('AA') ? 'BB' : 'AA');
      expect((await client.get('/v1/me', { token: tampered })).status).toBe(401);
      const foreign = await new SignJWT({ role: 'admin' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.id)
        .setIssuer('events-platform')
        .setAudience('events-platform-api')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('x'.repeat(64)));
      expect((await client.get('/v1/me', { token: foreign })).status).toBe(401);
      expect((await client.get('/v1/me', { token: null })).status).toBe(401);
    });

    it('makes accounts listed in ADMIN_EMAILS admins', async () => {
      const boss = new TestClient(api.base);
      const user = await boss.signUp('boss@example.com');
      expect(user.role).toBe('admin');
      expect((await boss.get('/v1/me')).body.role).toBe('admin');
    });
  });

  describe(`login throttling (${backend})`, () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi(backend, {
        rateLimits: {
          enabled: true,
          loginFailuresPerAccount: { limit: 3, windowSeconds: 900 },
          // The 429 from the account throttle counts as an IP failure too: 3 + 1 + 3 = 7.
          loginFailuresPerIp: { limit: 7, windowSeconds: 900 },
        },
      });
    });
    afterAll(() => api.close());

    it('throttles failed logins per account, then per IP, with 429, Retry-After and RateLimit headers', async () => {
      const email = uniqueEmail();
      await new TestClient(api.base).signUp(email, 'Ada', 'the right password');
      const client = new TestClient(api.base);
      for (let i = 0; i < 3; i++)
        expect(
          (await client.post('/v1/auth/login', { email, password: 'wrong password!' })).status,
        ).toBe(401);
      const blocked = await client.post('/v1/auth/login', {
        email,
        password: 'the right password',
      });
      expect(blocked.status).toBe(429);
      expect(blocked.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(blocked.headers.get('ratelimit-policy')).toContain('"login-account"');
      expect(blocked.headers.get('ratelimit')).toContain('r=0');
      // Other accounts from the same IP still get through until the IP budget is spent.
      for (let i = 0; i < 3; i++)
        expect(
          (
            await client.post('/v1/auth/login', {
              email: uniqueEmail(),
              password: 'wrong password!',
            })
          ).status,
        ).toBe(401);
      expect(
        (await client.post('/v1/auth/login', { email: uniqueEmail(), password: 'wrong password!' }))
          .status,
      ).toBe(429);
    });
  });
}
