import { randomBytes } from 'node:crypto';
import { createRedis, localDefaults } from '@platform/kit';
import { afterAll } from 'vitest';
import { redisStores } from './rate-limit.js';
import { rateLimitSpec } from './rate-limit.spec.js';

const redis = createRedis(process.env.REDIS_URL ?? localDefaults.redisUrl);
afterAll(async () => void (await redis.quit()));
// A random prefix per run, so counters from an earlier run never interfere.
const prefix = randomBytes(4).toString('hex');
rateLimitSpec('Redis', () => (name) => redisStores(redis)(`${prefix}:${name}`));
