import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// kafkajs's request queue is internal; the test reaches it the way the patch does (patches/).
const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (options: {
  maxInFlightRequests: number;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  clientId: string;
  broker: string;
  logger: Record<'debug' | 'info' | 'warn' | 'error', () => void>;
}) => {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  destroy(): void;
};

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function queue() {
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger: quiet,
  });
}

describe('kafkajs request queue (patches/kafkajs+2.2.4.patch)', () => {
  it('schedules no check when nothing is pending and nothing throttles it', () => {
    const q = queue();
    // What every response does (fulfillRequest): unpatched, this started a 1 ms timer loop.
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('still checks again when the broker throttles the connection', () => {
    const q = queue();
    q.throttledUntil = Date.now() + 60_000;
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    q.destroy();
  });
});
