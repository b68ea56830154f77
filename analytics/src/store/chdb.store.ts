import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Session } from 'chdb';
import {
  AnalyticsStoreError,
  sqlExcerpt,
  type AnalyticsStore,
  type Row,
} from './analytics-store.port.js';
import { parseServerVersion, type ServerVersion } from './server-features.js';
import { bindParams, quoteIdentifier, type SqlParams } from './sql-params.binder.js';
import { asTabSeparated, type TabSeparatedRows } from './tab-separated.format.js';

export interface ChdbStoreOptions {
  /** Data directory. chdb binds one per process: every store in a process must use the same. */
  path: string;
  database: string;
}

/**
 * The one chdb Session of this process, shared by every store opened in it. chdb cannot open a
 * second data directory in a process, and one connection runs one statement at a time, so
 * statements queue here; the queue also makes `USE <database>` plus the statement after it one
 * step, since the current database belongs to the session, not to a store.
 */
interface SharedSession {
  path: string;
  session: Session;
  users: number;
  currentDatabase: string | null;
  tail: Promise<unknown>;
}
let shared: SharedSession | null = null;

async function openSession(dir: string): Promise<SharedSession> {
  const resolved = path.resolve(dir);
  if (shared) {
    if (shared.path !== resolved) {
      throw new AnalyticsStoreError(
        `chdb already uses ${shared.path} in this process; it cannot also open ${resolved}`,
      );
    }
    shared.users++;
    return shared;
  }
  mkdirSync(resolved, { recursive: true });
  // Loaded on first use: the engine is a 550 MB shared library, which processes that only query
  // a ClickHouse server (core-api importing the query module) should never map.
  const { Session } = await import('chdb');
  // Another store may have opened the session while the library loaded.
  if (shared) return openSession(dir);
  shared = {
    path: resolved,
    session: new Session(resolved),
    users: 1,
    currentDatabase: null,
    tail: Promise.resolve(),
  };
  return shared;
}

function serial<T>(s: SharedSession, step: () => Promise<T>): Promise<T> {
  const run = s.tail.then(step, step);
  s.tail = run.catch(() => undefined);
  return run;
}

const wrap = (sql: string, error: unknown) =>
  new AnalyticsStoreError(
    `chdb rejected: ${sqlExcerpt(sql)}: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );

/** The embedded adapter: chdb (ClickHouse 26.x compiled into the process), same SQL. */
export async function createChdbStore(options: ChdbStoreOptions): Promise<AnalyticsStore> {
  const database = options.database;
  quoteIdentifier(database);
  const s = await openSession(options.path);
  let closed = false;
  let version: ServerVersion | undefined;

  const run = <T>(sql: string, step: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new AnalyticsStoreError('chdb store is closed'));
    return serial(s, async () => {
      try {
        if (s.currentDatabase !== database) {
          await s.session.queryAsync(`USE ${database}`);
          s.currentDatabase = database;
        }
        return await step();
      } catch (error) {
        throw wrap(sql, error);
      }
    });
  };

  await serial(s, () => s.session.queryAsync(`CREATE DATABASE IF NOT EXISTS ${database}`)).catch(
    (error: unknown) => {
      throw wrap(`CREATE DATABASE ${database}`, error);
    },
  );

  const store: AnalyticsStore = {
    kind: 'chdb',
    database,

    query<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
      const text = bindParams(sql, params);
      return run(text, async () => {
        const result = await s.session.queryAsync(text, { format: 'JSONEachRow' });
        const body = result.text();
        const rows: T[] = [];
        for (const line of body.split('\n')) if (line) rows.push(JSON.parse(line) as T);
        return rows;
      });
    },

    command(sql: string, params?: SqlParams): Promise<void> {
      const text = bindParams(sql, params);
      return run(text, async () => {
        await s.session.queryAsync(text);
        // A dropped database can no longer be the session's current one.
        if (/^\s*DROP\s+DATABASE/i.test(text)) s.currentDatabase = null;
      });
    },

    insert(table: string, rows: readonly object[] | TabSeparatedRows): Promise<void> {
      const { columns, payload, count } = asTabSeparated(rows);
      if (count === 0) return Promise.resolve();
      // chdb's insert takes a bare name: make sure it is one.
      quoteIdentifier(table);
      const target = `${database}.${table}`;
      return run(`INSERT INTO ${target}`, async () => {
        await s.session.insert({
          table: target,
          format: 'TabSeparated',
          columns,
          values: Buffer.from(payload),
        });
      });
    },

    async serverVersion(): Promise<ServerVersion> {
      if (!version) {
        const [row] = await store.query<{ v: string }>('SELECT version() AS v');
        version = parseServerVersion(row!.v);
      }
      return version;
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await s.tail;
      s.users--;
      if (s.users === 0 && shared === s) {
        s.session.close();
        shared = null;
      }
    },
  };
  return store;
}
