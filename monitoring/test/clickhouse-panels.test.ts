import { describeClickHousePanels } from './clickhouse-panels.contract.js';

describeClickHousePanels('chdb');
