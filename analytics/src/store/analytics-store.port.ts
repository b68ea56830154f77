import type { ServerVersion } from './server-features.js';
import type { SqlParams } from './sql-params.binder.js';
import type { TabSeparatedRows } from './tab-separated.format.js';

export type { SqlParams, SqlValue } from './sql-params.binder.js';

export type Row = Record<string, unknown>;

/**
 * The analytics store port: ClickHouse SQL against one database. Two adapters run the same SQL
 * and pass one contract suite (`store.contract.ts`): `@clickhouse/client` against a server
 * (`clickhouse.store.ts`) and chdb, the ClickHouse engine in-process (`chdb.store.ts`).
 *
 * Tables are named without a database; the adapter runs everything in `database`, which it
 * creates when missing. Parameters are `{name:Type}` placeholders bound client-side by
 * `bindParams`, because ClickHouse 18.16 has no server-side parameters.
 */
export interface AnalyticsStore {
  readonly kind: 'clickhouse' | 'chdb';
  readonly database: string;
  /** Rows of a SELECT. 64-bit integers arrive as numbers or numeric strings depending on the
   * server; callers coerce (`z.coerce.number()`). */
  query<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  /** DDL and other statements without a result. */
  command(sql: string, params?: SqlParams): Promise<void>;
  /** One INSERT of `rows` into `table`; resolves once the server has the rows. Every row has
   * the same keys (the columns), with strings, numbers, bigints, booleans, NULLs or arrays of
   * them as values (sent as TabSeparated, see tab-separated.format.ts); or rows the caller
   * encoded as TabSeparated itself (the consumer's hot path). */
  insert(table: string, rows: readonly object[] | TabSeparatedRows): Promise<void>;
  serverVersion(): Promise<ServerVersion>;
  close(): Promise<void>;
}

/** A statement the server rejected, with the start of the SQL for the log. */
export class AnalyticsStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AnalyticsStoreError';
  }
}

export const sqlExcerpt = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 200);
