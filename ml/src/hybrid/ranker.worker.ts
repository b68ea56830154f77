import { parentPort } from 'node:worker_threads';
import { RankerState, type RankerMessage, type RankerReply } from './ranker.state.js';

// The ranker thread's entry: applies the serving side's messages in order (they come in
// batches, one per turn of the serving side's event loop), and answers a batch's rankings in
// one message.
const state = new RankerState();
parentPort!.on('message', (batch: RankerMessage[]) => {
  const replies: RankerReply[] = [];
  for (const message of batch) {
    const reply = state.apply(message);
    if (reply) replies.push(reply);
  }
  if (replies.length > 0) parentPort!.postMessage(replies);
});
parentPort!.postMessage({ type: 'ready' });
