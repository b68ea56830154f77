import { randomBytes } from 'node:crypto';
import { createMemoryLog } from './memory.adapter.js';
import { describeMessageLogContract } from './message-log.contract.js';

describeMessageLogContract('memory', async () => {
  const run = randomBytes(4).toString('hex');
  return { log: createMemoryLog(), topic: (suffix) => `contract.${run}.${suffix}` };
});
