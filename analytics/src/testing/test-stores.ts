import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localDefaults } from '@platform/kit';
import type { AnalyticsStore } from '../store/analytics-store.port.js';
import { createChdbStore } from '../store/chdb.store.js';
import { createClickHouseStore } from '../store/clickhouse.store.js';

export type StoreKind = 'chdb' | 'clickhouse';

/** A database name no other run uses, so tests never see each other's rows. */
export const uniqueDatabase = (prefix = 'analytics_test') =>
  `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;

/** chdb binds one data directory per process: one temporary directory for this test process. */
const chdbPath = path.join(tmpdir(), `analytics-chdb-${process.pid}`);
let cleanupRegistered = false;
let openChdbStores = 0;

export interface TestStore {
  store: AnalyticsStore;
  /** Another store on the same database, as a restarted process would open it; `drop` closes
   * it too. */
  reopen(): Promise<AnalyticsStore>;
  /** Drops the database and closes the store. */
  drop(): Promise<void>;
}

/**
 * Opens a store on a fresh database: chdb in a temporary directory, or the ClickHouse server at
 * CLICKHOUSE_URL (default 127.0.0.1:8123). A server that is not there fails the test.
 */
export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  const database = uniqueDatabase();
  const open = (): Promise<AnalyticsStore> => {
    if (kind === 'chdb') {
      if (!cleanupRegistered) {
        cleanupRegistered = true;
        process.on('exit', () => rmSync(chdbPath, { recursive: true, force: true }));
      }
      return createChdbStore({ path: chdbPath, database });
    }
    return createClickHouseStore({
      url: process.env.CLICKHOUSE_URL ?? localDefaults.clickhouseUrl,
      username: process.env.CLICKHOUSE_USER ?? 'default',
      password: process.env.CLICKHOUSE_PASSWORD ?? '',
      database,
    });
  };
  const store = await open();
  if (kind === 'chdb') openChdbStores++;
  const reopened: AnalyticsStore[] = [];
  return {
    store,
    reopen: async () => {
      const again = await open();
      reopened.push(again);
      return again;
    },
    drop: async () => {
      await store.command(`DROP DATABASE IF EXISTS ${database}`);
      await Promise.all([store, ...reopened].map((s) => s.close()));
      // The session closes with its last store; then its directory can go.
      if (kind === 'chdb' && --openChdbStores === 0) {
        rmSync(chdbPath, { recursive: true, force: true });
      }
    },
  };
}
