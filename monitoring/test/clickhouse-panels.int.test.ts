import { describeClickHousePanels } from './clickhouse-panels.contract.js';

describeClickHousePanels('clickhouse');
