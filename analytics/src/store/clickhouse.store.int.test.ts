import { describeStoreContract } from './store.contract.js';

describeStoreContract('clickhouse');
