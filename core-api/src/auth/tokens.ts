import { createHash, randomBytes } from 'node:crypto';
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import { LRUCache } from 'lru-cache';
import { UnauthorizedError } from '@platform/kit';
import type { AuthUser, Role } from './auth.types.js';

const issuer = 'events-platform';
const audience = 'events-platform-api';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

/**
 * Short-lived HS256 access tokens, signed and checked with fast-jwt: synchronous HMAC through
 * node:crypto, about 15 microseconds a token here where jose's WebCrypto path took 80-150 of
 * CPU (a job on the thread pool and its promise). Every person's first request after a restart
 * pays it, all at once.
 */
export class AccessTokens {
  private readonly signer: (payload: Record<string, unknown>) => string;
  /** Signature, algorithm, issuer and audience; expiry is checked below against `now`. */
  private readonly verifier: (token: string) => Record<string, unknown>;
  /**
   * Tokens already verified, until they expire. Access tokens are stateless (nothing revokes
   * one before its expiry), so a cached answer is the answer verifying again would give.
   */
  private readonly verified = new LRUCache<string, { user: AuthUser; expiresAt: number }>({
    max: 20_000,
  });

  constructor(secret: string) {
    // iat and exp come from the payload (the caller's clock).
    this.signer = createSigner({ key: secret, algorithm: 'HS256' });
    this.verifier = createVerifier({
      key: secret,
      algorithms: ['HS256'],
      allowedIss: issuer,
      allowedAud: audience,
      ignoreExpiration: true,
      ignoreNotBefore: true,
    });
  }

  sign(user: AuthUser, now = Date.now()): Promise<string> {
    const iat = Math.floor(now / 1000);
    return Promise.resolve(
      this.signer({
        role: user.role,
        sub: user.id,
        iss: issuer,
        aud: audience,
        iat,
        exp: iat + ACCESS_TOKEN_TTL_SECONDS,
      }),
    );
  }

  verify(token: string, now = Date.now()): Promise<AuthUser> {
    try {
      return Promise.resolve(this.verifyNow(token, now));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private verifyNow(token: string, now: number): AuthUser {
    const known = this.verified.get(token);
    if (known && known.expiresAt > now) return known.user;
    let payload: Record<string, unknown>;
    try {
      payload = this.verifier(token);
    } catch (error) {
      if (error instanceof TokenError) throw new UnauthorizedError('Access token is not valid');
      throw error;
    }
    const { sub, role, exp } = payload;
    if (typeof sub !== 'string' || (role !== 'user' && role !== 'admin')) {
      throw new UnauthorizedError('Access token is malformed');
    }
    if (typeof exp !== 'number') throw new UnauthorizedError('Access token is malformed');
    const expiresAt = exp * 1000;
    if (expiresAt <= now) throw new UnauthorizedError('Access token has expired');
    const user = { id: sub, role: role as Role };
    this.verified.set(token, { user, expiresAt }, { ttl: expiresAt - now });
    return user;
  }
}

/** Opaque refresh tokens: 256 random bits; only their SHA-256 is stored. */
export const newRefreshToken = (): string => randomBytes(32).toString('base64url');
export const hashRefreshToken = (token: string): Buffer =>
  createHash('sha256').update(token).digest();
