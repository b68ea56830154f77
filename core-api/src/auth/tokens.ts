import { createHash, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { UnauthorizedError } from '@platform/kit';
import type { AuthUser, Role } from './auth.types.js';

const issuer = 'events-platform';
const audience = 'events-platform-api';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

/** Short-lived HS256 access tokens. */
export class AccessTokens {
  /** Imported once: handing jose raw bytes makes it import the key on every call. */
  private readonly key: Promise<CryptoKey>;
  /**
   * Tokens already verified, until they expire. Access tokens are stateless (nothing revokes
   * one before its expiry), so a cached answer is the answer verifying again would give, without
   * the HMAC job on the crypto thread pool that every signed-in request would otherwise cost.
   */
  private readonly verified = new LRUCache<string, { user: AuthUser; expiresAt: number }>({
    max: 20_000,
  });

  constructor(secret: string) {
    this.key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    ) as Promise<CryptoKey>;
  }

  async sign(user: AuthUser, now = Date.now()): Promise<string> {
    const iat = Math.floor(now / 1000);
    return new SignJWT({ role: user.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ACCESS_TOKEN_TTL_SECONDS)
      .sign(await this.key);
  }

  async verify(token: string, now = Date.now()): Promise<AuthUser> {
    const known = this.verified.get(token);
    if (known && known.expiresAt > now) return known.user;
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        issuer,
        audience,
        algorithms: ['HS256'],
        currentDate: new Date(now),
      });
      const role = payload.role;
      if (typeof payload.sub !== 'string' || (role !== 'user' && role !== 'admin')) {
        throw new UnauthorizedError('Access token is malformed');
      }
      const user = { id: payload.sub, role: role as Role };
      if (payload.exp !== undefined) {
        const expiresAt = payload.exp * 1000;
        this.verified.set(token, { user, expiresAt }, { ttl: expiresAt - now });
      }
      return user;
    } catch (error) {
      if (error instanceof UnauthorizedError) throw error;
      if (error instanceof errors.JWTExpired)
        throw new UnauthorizedError('Access token has expired');
      throw new UnauthorizedError('Access token is not valid');
    }
  }
}

/** Opaque refresh tokens: 256 random bits; only their SHA-256 is stored. */
export const newRefreshToken = (): string => randomBytes(32).toString('base64url');
export const hashRefreshToken = (token: string): Buffer =>
  createHash('sha256').update(token).digest();
