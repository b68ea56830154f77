import { PGlite, types } from '@electric-sql/pglite';
import {
  quoteIdent,
  runTransaction,
  toSqlError,
  type SqlConnection,
  type SqlDatabase,
  type SqlExecutor,
  type SqlResult,
  type TransactionOptions,
} from './sql.port.js';

/**
 * FIFO lock. PGlite is a single connection: a transaction must own it from BEGIN to COMMIT, and
 * any other query must wait. PGlite's internal mutex covers one query at a time only, so we hold
 * this around every query and every acquired connection. (Small enough not to need a library.)
 */
class Lock {
  private tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

export interface PgliteOptions {
  /** Directory for the data files; in memory when omitted. */
  dataDir?: string;
}

export async function createPgliteDatabase(options: PgliteOptions = {}): Promise<SqlDatabase> {
  const db = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    parsers: { [types.INT8]: (v: string) => Number(v) },
  });
  const lock = new Lock();

  const execute = async <R>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>> => {
    try {
      if (!params || params.length === 0) {
        // Simple protocol, like pg without parameters: allows a script of several statements.
        const results = await db.exec(text);
        const last = results.at(-1);
        return {
          rows: (last?.rows ?? []) as R[],
          rowCount: last?.affectedRows ?? last?.rows.length ?? 0,
        };
      }
      const result = await db.query<R>(text, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    } catch (error) {
      throw toSqlError(error);
    }
  };

  const acquire = async (): Promise<SqlConnection> => {
    const unlock = await lock.acquire();
    let released = false;
    return {
      query: execute,
      release() {
        if (released) return;
        released = true;
        unlock();
      },
    };
  };

  return {
    dialect: 'pglite',
    async query(text, params) {
      const unlock = await lock.acquire();
      try {
        return await execute(text, params);
      } finally {
        unlock();
      }
    },
    acquire,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, opts?: TransactionOptions) {
      return runTransaction(await acquire(), fn, opts);
    },
    async listen(channel, onNotify) {
      quoteIdent(channel);
      const unlock = await lock.acquire();
      let unsubscribe: () => Promise<void>;
      try {
        unsubscribe = await db.listen(channel, onNotify);
      } finally {
        unlock();
      }
      return async () => {
        const u = await lock.acquire();
        try {
          await unsubscribe();
        } finally {
          u();
        }
      };
    },
    async close() {
      const unlock = await lock.acquire();
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}
