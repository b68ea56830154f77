import type { AnalyticsStore } from './analytics-store.port.js';
import { featuresOf, type ServerFeatures } from './server-features.js';
import { migrations as allMigrations } from './migrations/index.js';

/**
 * A numbered schema change. `statements` gets the server's features so a migration can use a
 * newer feature where the server has it (see server-features.ts); the statements are run one at
 * a time, because ClickHouse's HTTP interface takes one statement per request.
 */
export interface Migration {
  version: number;
  name: string;
  statements: (features: ServerFeatures) => (string | GuardedStatement)[];
}

/**
 * A statement ClickHouse cannot make idempotent by itself on every version we support (18.16 has
 * no `ADD COLUMN IF NOT EXISTS`): skipped when `doneIf` returns a row. A statement that fails
 * while another process applied it at the same moment counts as done.
 */
export interface GuardedStatement {
  sql: string;
  doneIf: string;
}

const ledger = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version UInt32,
  name String,
  server_version String,
  applied_at DateTime('UTC')
)
ENGINE = MergeTree
ORDER BY version`;

/**
 * Brings the store's database up to the newest migration and returns the versions it applied.
 *
 * ClickHouse has neither transactional DDL nor locks, so every statement is idempotent
 * (`IF NOT EXISTS`): a migration cut short by a crash is simply run again, and two processes
 * migrating at once both succeed (the ledger may then hold a version twice; it is read with
 * DISTINCT).
 */
export async function migrate(
  store: AnalyticsStore,
  migrations: readonly Migration[] = allMigrations,
): Promise<number[]> {
  const versions = migrations.map((m) => m.version);
  if (versions.some((v, i) => i > 0 && v <= versions[i - 1]!)) {
    throw new Error(`migration versions must increase: ${versions.join(', ')}`);
  }
  const features = featuresOf(await store.serverVersion());
  await store.command(ledger);
  const rows = await store.query<{ version: number | string }>(
    'SELECT DISTINCT version FROM schema_migrations',
  );
  const applied = new Set(rows.map((r) => Number(r.version)));
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    for (const statement of migration.statements(features)) await run(store, statement);
    await store.insert('schema_migrations', [
      {
        version: migration.version,
        name: migration.name,
        server_version: features.version.text,
        applied_at: Math.floor(Date.now() / 1000),
      },
    ]);
    done.push(migration.version);
  }
  return done;
}

async function run(store: AnalyticsStore, statement: string | GuardedStatement): Promise<void> {
  if (typeof statement === 'string') return store.command(statement);
  const isDone = async () => (await store.query(statement.doneIf)).length > 0;
  if (await isDone()) return;
  try {
    await store.command(statement.sql);
  } catch (error) {
    if (!(await isDone())) throw error;
  }
}
