import { describeStoreContract } from './store.contract.js';

describeStoreContract('chdb');
