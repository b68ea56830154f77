import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

export interface TxOptions {
  /** Bound on any lock wait inside the transaction; past it PostgreSQL raises 55P03. */
  lockTimeoutMs?: number;
}

/** Runs `fn` in a transaction, with a bounded lock wait when asked. */
export function inTransaction<T>(
  db: Db,
  fn: (tx: Tx) => Promise<T>,
  options: TxOptions = {},
): Promise<T> {
  return db.transaction().execute(async (tx) => {
    if (options.lockTimeoutMs !== undefined) {
      await sql`SET LOCAL lock_timeout = ${sql.lit(Math.max(1, Math.trunc(options.lockTimeoutMs)))}`.execute(
        tx,
      );
    }
    return fn(tx);
  });
}
