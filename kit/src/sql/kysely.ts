import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Migration,
  type MigrationProvider,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { Logger } from 'pino';
import type { SqlConnection, SqlDatabase } from './sql.port.js';

/**
 * Kysely on top of our SQL port, so the same typed queries run on `pg` and on PGlite.
 * (kysely-pglite dialects exist, but they bypass the port's lock and error mapping.)
 */
class PortConnection implements DatabaseConnection {
  constructor(readonly inner: SqlConnection) {}
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.inner.query<R>(query.sql, query.parameters);
    return { rows: result.rows, numAffectedRows: BigInt(result.rowCount) };
  }
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the SQL port');
  }
}

class PortDriver implements Driver {
  constructor(private readonly db: SqlDatabase) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new PortConnection(await this.db.acquire());
  }
  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(`begin${isolation}`));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PortConnection).inner.release();
  }
  /** The port's owner closes it; Kysely only borrows it. */
  async destroy(): Promise<void> {}
}

export function portDialect(db: SqlDatabase): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new PortDriver(db),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}

export function createKysely<DB>(db: SqlDatabase): Kysely<DB> {
  return new Kysely<DB>({ dialect: portDialect(db) });
}

/** Numbered migrations, applied in name order, each once, under Kysely's migration lock. */
export async function migrateToLatest(
  db: SqlDatabase,
  migrations: Record<string, Migration>,
  options: { logger?: Logger; table?: string } = {},
): Promise<string[]> {
  const kysely = createKysely<unknown>(db);
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const migrator = new Migrator({
    db: kysely,
    provider,
    migrationTableName: options.table ?? 'kysely_migration',
    migrationLockTableName: `${options.table ?? 'kysely_migration'}_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  for (const name of applied) options.logger?.info({ migration: name }, 'migration applied');
  const failed = (results ?? []).find((r) => r.status === 'Error');
  if (error) {
    throw new Error(
      `migration ${failed?.migrationName ?? '(unknown)'} failed: ${String((error as Error).message ?? error)}`,
      {
        cause: error,
      },
    );
  }
  return applied;
}
