import { describeQueriesContract } from './queries.contract.js';

describeQueriesContract('clickhouse');
