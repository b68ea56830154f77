import { parentPort } from 'node:worker_threads';
import { RankerState, type RankerMessage } from './ranker.state.js';

// The ranker thread's entry: applies the serving side's messages in order, answers rankings.
const state = new RankerState();
parentPort!.on('message', (message: RankerMessage) => {
  const reply = state.apply(message);
  if (reply) parentPort!.postMessage(reply);
});
parentPort!.postMessage({ type: 'ready' });
