/**
 * The SQL database port. Two adapters implement it: a `pg` pool against PostgreSQL and PGlite
 * (PostgreSQL compiled to WASM, in-process). Both pass `sql.contract.ts`.
 */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

export interface SqlExecutor {
  /** Parameterised query: `$1, $2, ...` placeholders bound to `params`. Without params, a
   * script of several statements may be sent (used by migrations). */
  query<R = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<R>>;
}

/** One connection held exclusively until released; transactions run on one of these. */
export interface SqlConnection extends SqlExecutor {
  release(): void;
}

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /** Bound on waiting for a row or advisory lock; past it the query fails with SQLSTATE 55P03. */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
}

export type Unlisten = () => Promise<void>;

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: 'postgres' | 'pglite';
  acquire(): Promise<SqlConnection>;
  /** Runs `fn` in one transaction: commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** LISTEN on a channel; `onNotify` gets each NOTIFY payload sent after commit. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<Unlisten>;
  close(): Promise<void>;
}

/** A database error with its SQLSTATE, the same shape from both adapters. */
export class SqlError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly constraint: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SqlError';
  }
}

export const sqlState = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  lockNotAvailable: '55P03',
  queryCanceled: '57014',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

export function toSqlError(error: unknown): unknown {
  if (error instanceof SqlError || !(error instanceof Error)) return error;
  const e = error as Error & { code?: unknown; constraint?: unknown };
  if (typeof e.code !== 'string') return error;
  return new SqlError(
    e.message,
    e.code,
    typeof e.constraint === 'string' ? e.constraint : undefined,
    { cause: error },
  );
}

/** The shared BEGIN/COMMIT/ROLLBACK logic both adapters use. */
export async function runTransaction<T>(
  connection: SqlConnection,
  fn: (tx: SqlExecutor) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  let broken = false;
  try {
    await connection.query(
      `BEGIN ISOLATION LEVEL ${(options.isolation ?? 'read committed').toUpperCase()}`,
    );
    // SET LOCAL takes no bind parameters; the values are integers we format ourselves.
    if (options.lockTimeoutMs !== undefined)
      await connection.query(
        `SET LOCAL lock_timeout = ${Math.max(1, Math.trunc(options.lockTimeoutMs))}`,
      );
    if (options.statementTimeoutMs !== undefined)
      await connection.query(
        `SET LOCAL statement_timeout = ${Math.max(1, Math.trunc(options.statementTimeoutMs))}`,
      );
    const result = await fn(connection);
    await connection.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await connection.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw toSqlError(error);
  } finally {
    if (broken) (connection as SqlConnection & { destroy?: () => void }).destroy?.();
    connection.release();
  }
}

/** Quotes an identifier (for LISTEN, which takes no parameters). */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad identifier: ${name}`);
  return `"${name}"`;
}
