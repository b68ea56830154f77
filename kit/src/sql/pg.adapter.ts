import pg from 'pg';
import type { Logger } from 'pino';
import {
  quoteIdent,
  runTransaction,
  toSqlError,
  type SqlConnection,
  type SqlDatabase,
  type SqlExecutor,
  type SqlResult,
  type TransactionOptions,
  type Unlisten,
} from './sql.port.js';

const INT8_OID = 20;

/** int8 (counts, sums) as JS numbers: our values stay far below 2^53. Same as the PGlite adapter. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

export interface PgOptions {
  url: string;
  maxConnections?: number;
  /**
   * Connections kept open however idle (`open()` opens them). A burst after start-up or a quiet
   * spell would otherwise wait for new connections: TCP, a forked backend and SCRAM
   * authentication each, tens of milliseconds under load.
   */
  minConnections?: number;
  /** How long a connection above `minConnections` may stay idle before it is closed (ms). */
  idleTimeoutMs?: number;
  logger?: Logger;
  applicationName?: string;
}

export interface PgDatabase extends SqlDatabase {
  /** Opens the pool's `minConnections` at once; rejects when the server cannot be reached. */
  open(): Promise<void>;
}

export function createPgDatabase(options: PgOptions): PgDatabase {
  const max = options.maxConnections ?? 10;
  const min = Math.min(options.minConnections ?? 0, max);
  const pool = new pg.Pool({
    connectionString: options.url,
    max,
    min,
    idleTimeoutMillis: options.idleTimeoutMs ?? 10_000,
    types,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5_000,
  });
  pool.on('error', (error) => options.logger?.warn({ err: error }, 'idle postgres client failed'));

  const execute = async <R>(
    client: pg.Pool | pg.PoolClient,
    text: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<R>> => {
    try {
      const result = await client.query(text, params as unknown[] | undefined);
      // A script of several statements returns an array of results: report the last one.
      const last = Array.isArray(result) ? (result.at(-1) as pg.QueryResult) : result;
      return { rows: (last?.rows ?? []) as R[], rowCount: last?.rowCount ?? 0 };
    } catch (error) {
      throw toSqlError(error);
    }
  };

  const acquire = async (): Promise<SqlConnection> => {
    const client = await pool.connect();
    let released = false;
    let destroyed = false;
    return {
      query: (text, params) => execute(client, text, params),
      release() {
        if (released) return;
        released = true;
        client.release(destroyed);
      },
      destroy() {
        destroyed = true;
      },
    } as SqlConnection;
  };

  return {
    dialect: 'postgres',
    async open() {
      const clients = await Promise.allSettled(Array.from({ length: min }, () => pool.connect()));
      for (const c of clients) if (c.status === 'fulfilled') c.value.release();
      const failed = clients.find((c) => c.status === 'rejected');
      if (failed) throw failed.reason;
    },
    query: (text, params) => execute(pool, text, params),
    acquire,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, opts?: TransactionOptions) {
      return runTransaction(await acquire(), fn, opts);
    },
    listen: (channel, onNotify) => listenWithReconnect(options, channel, onNotify),
    close: () => pool.end(),
  };
}

/**
 * LISTEN needs a connection of its own for as long as we listen. If it drops, reconnect with
 * backoff; callers also poll on a slow timer, so a gap costs latency, never data.
 */
async function listenWithReconnect(
  options: PgOptions,
  channel: string,
  onNotify: (payload: string) => void,
): Promise<Unlisten> {
  let client: pg.Client | undefined;
  let stopped = false;
  let attempt = 0;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({
      connectionString: options.url,
      application_name: options.applicationName,
    });
    c.on('notification', (msg) => {
      if (msg.channel === channel) onNotify(msg.payload ?? '');
    });
    c.on('error', (error) => {
      options.logger?.warn({ err: error, channel }, 'listen connection failed, reconnecting');
      void c.end().catch(() => undefined);
      scheduleReconnect();
    });
    await c.connect();
    await c.query(`LISTEN ${quoteIdent(channel)}`);
    client = c;
    attempt = 0;
  };

  const scheduleReconnect = () => {
    if (stopped) return;
    const delay = Math.min(30_000, 250 * 2 ** attempt++);
    setTimeout(() => {
      if (!stopped) connect().catch(scheduleReconnect);
    }, delay).unref();
  };

  await connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => undefined);
  };
}
