import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import {
  AnalyticsStoreError,
  sqlExcerpt,
  type AnalyticsStore,
  type Row,
} from './analytics-store.port.js';
import { parseServerVersion, type ServerVersion } from './server-features.js';
import { bindParams, quoteIdentifier, type SqlParams } from './sql-params.binder.js';
import { asTabSeparated, type TabSeparatedRows } from './tab-separated.format.js';

export interface ClickHouseStoreOptions {
  url: string;
  username?: string;
  password?: string;
  database: string;
  requestTimeoutMs?: number;
}

/** Sent with every request; exists on 18.16 and current servers. 18.16 quotes 64-bit integers
 * in JSON by default, current servers do not: this makes both answer with numbers. */
const settings = { output_format_json_quote_64bit_integers: 0 } as const;

const wrap = (sql: string, error: unknown) =>
  new AnalyticsStoreError(
    `ClickHouse rejected: ${sqlExcerpt(sql)}: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );

/** The production adapter: `@clickhouse/client` over HTTP to a ClickHouse server. */
export async function createClickHouseStore(
  options: ClickHouseStoreOptions,
): Promise<AnalyticsStore> {
  quoteIdentifier(options.database);
  const common = {
    url: options.url,
    username: options.username ?? 'default',
    password: options.password ?? '',
    request_timeout: options.requestTimeoutMs ?? 60_000,
    clickhouse_settings: settings,
    // Errors reach the caller as AnalyticsStoreError; the client's own console log would repeat them.
    log: { level: ClickHouseLogLevel.OFF },
    // The server closes an idle keep-alive socket after 3 s (pre-23.11 default). A batch parsed
    // and encoded in one go can hold the event loop past the client's 2.5 s idle timer, and the
    // next INSERT would then write into a closed socket (EPIPE): check a socket's age on use.
    keep_alive: { eagerly_destroy_stale_sockets: true },
  };
  // The database may not exist yet, and a client bound to a missing database fails every request.
  const bootstrap = createClient(common);
  try {
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${options.database}` });
  } finally {
    await bootstrap.close();
  }
  const client: ClickHouseClient = createClient({ ...common, database: options.database });
  let version: ServerVersion | undefined;

  const store: AnalyticsStore = {
    kind: 'clickhouse',
    database: options.database,

    async query<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
      const text = bindParams(sql, params);
      try {
        const result = await client.query({ query: text, format: 'JSONEachRow' });
        return await result.json<T>();
      } catch (error) {
        throw wrap(text, error);
      }
    },

    async command(sql: string, params?: SqlParams): Promise<void> {
      const text = bindParams(sql, params);
      try {
        await client.command({ query: text });
      } catch (error) {
        throw wrap(text, error);
      }
    },

    async insert(table: string, rows: readonly object[] | TabSeparatedRows): Promise<void> {
      const { columns, payload, count } = asTabSeparated(rows);
      if (count === 0) return;
      try {
        await client.insert({
          table: quoteIdentifier(table),
          columns: columns as [string, ...string[]],
          values: Readable.from([Buffer.from(payload)], { objectMode: false }),
          format: 'TabSeparated',
        });
      } catch (error) {
        throw wrap(`INSERT INTO ${table}`, error);
      }
    },

    async serverVersion(): Promise<ServerVersion> {
      if (!version) {
        const [row] = await store.query<{ v: string }>('SELECT version() AS v');
        version = parseServerVersion(row!.v);
      }
      return version;
    },

    close: () => client.close(),
  };
  return store;
}
