import { memoryStores } from './rate-limit.js';
import { rateLimitSpec } from './rate-limit.spec.js';

rateLimitSpec('memory', () => memoryStores);
