import { TooManyRequestsError } from '@platform/kit';
import type { Request, RequestHandler } from 'express';
import {
  ipKeyGenerator,
  MemoryStore,
  rateLimit,
  type Options,
  type Store,
} from 'express-rate-limit';
import type { Redis } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';

/** The rate limiter port: counters in Redis (shared by every API instance) or in memory. */
export type RateLimitStoreFactory = (name: string) => Store;

export const memoryStores: RateLimitStoreFactory = () => new MemoryStore();

export const redisStores =
  (redis: Redis): RateLimitStoreFactory =>
  (name) =>
    new RedisStore({
      prefix: `rl:${name}:`,
      sendCommand: (command: string, ...args: string[]) =>
        redis.call(command, ...args) as Promise<RedisReply>,
    });

export interface RateLimitPolicy {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

export interface RateLimitSettings {
  enabled: boolean;
  stores: RateLimitStoreFactory;
  perIp?: RateLimitPolicy;
  perUser?: RateLimitPolicy;
  /** Failed logins per client IP, and per account (email). */
  loginFailuresPerIp?: RateLimitPolicy;
  loginFailuresPerAccount?: RateLimitPolicy;
  /** New accounts per client IP. */
  signupsPerIp?: RateLimitPolicy;
}

export interface RateLimits {
  perIp: RequestHandler;
  perUser: RequestHandler;
  login: RequestHandler[];
  signup: RequestHandler;
}

const passThrough: RequestHandler = (_req, _res, next) => next();
const clientIp = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

function limiter(
  name: string,
  policy: RateLimitPolicy,
  stores: RateLimitStoreFactory,
  extra: Partial<Options> = {},
): RequestHandler {
  return rateLimit({
    windowMs: policy.windowSeconds * 1000,
    limit: policy.limit,
    identifier: name,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: stores(name),
    keyGenerator: clientIp,
    // Retry-After is already set by the limiter; the body is our problem+json.
    handler: (req, _res, next) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = reset
        ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000))
        : policy.windowSeconds;
      next(
        new TooManyRequestsError(seconds, `Rate limit "${name}" exceeded; retry in ${seconds} s`),
      );
    },
    ...extra,
  });
}

/**
 * Limits per client IP and per signed-in user on every API request, plus throttles on failed
 * logins (per IP and per account) and on sign-ups. Off when RATE_LIMIT=off.
 */
export function createRateLimits(settings: RateLimitSettings): RateLimits {
  if (!settings.enabled)
    return { perIp: passThrough, perUser: passThrough, login: [], signup: passThrough };
  const { stores } = settings;
  return {
    perIp: limiter('ip', settings.perIp ?? { limit: 1200, windowSeconds: 60 }, stores),
    perUser: limiter('user', settings.perUser ?? { limit: 600, windowSeconds: 60 }, stores, {
      keyGenerator: (req) => req.user?.id ?? '',
      skip: (req) => !req.user,
    }),
    login: [
      limiter(
        'login-ip',
        settings.loginFailuresPerIp ?? { limit: 30, windowSeconds: 900 },
        stores,
        {
          skipSuccessfulRequests: true,
        },
      ),
      limiter(
        'login-account',
        settings.loginFailuresPerAccount ?? { limit: 5, windowSeconds: 900 },
        stores,
        {
          skipSuccessfulRequests: true,
          keyGenerator: (req) => {
            const email = (req.body as { email?: unknown } | undefined)?.email;
            return typeof email === 'string' ? email.trim().toLowerCase() : clientIp(req);
          },
        },
      ),
    ],
    signup: limiter(
      'signup-ip',
      settings.signupsPerIp ?? { limit: 20, windowSeconds: 3600 },
      stores,
    ),
  };
}
