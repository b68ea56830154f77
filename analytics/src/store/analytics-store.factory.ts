import type { AnalyticsStore } from './analytics-store.port.js';
import { createChdbStore } from './chdb.store.js';
import { createClickHouseStore } from './clickhouse.store.js';

export type AnalyticsStoreConfig =
  | {
      kind: 'clickhouse';
      url: string;
      username: string;
      password: string;
      database: string;
    }
  | { kind: 'chdb'; path: string; database: string };

/** Opens the adapter the configuration names. */
export function openAnalyticsStore(config: AnalyticsStoreConfig): Promise<AnalyticsStore> {
  return config.kind === 'chdb'
    ? createChdbStore({ path: config.path, database: config.database })
    : createClickHouseStore(config);
}
