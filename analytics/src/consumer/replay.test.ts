import { describeReplayContract } from './replay.contract.js';

describeReplayContract('chdb');
