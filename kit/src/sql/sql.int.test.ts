import { describe, expect, it } from 'vitest';
import { localDefaults } from '../config/config.js';
import { createPgDatabase } from './pg.adapter.js';
import { describeSqlContract } from './sql.contract.js';
import { SqlError, sqlState, type SqlDatabase } from './sql.port.js';

const url = process.env.DATABASE_URL ?? localDefaults.databaseUrl;

describeSqlContract('PostgreSQL (pg pool)', async () => createPgDatabase({ url }));

describe('PostgreSQL lock timeout', () => {
  it('fails a lock wait past lockTimeoutMs with SQLSTATE 55P03 instead of hanging', async () => {
    const db = createPgDatabase({ url });
    const table = `lock_probe_${process.pid}`;
    await db.query(
      `CREATE TABLE IF NOT EXISTS ${table} (id int primary key); INSERT INTO ${table} VALUES (1) ON CONFLICT DO NOTHING`,
    );
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const holder = db.transaction(async (tx) => {
      await tx.query(`SELECT 1 FROM ${table} WHERE id = 1 FOR UPDATE`);
      await held;
    });
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const error = await db
      .transaction((tx) => tx.query(`SELECT 1 FROM ${table} WHERE id = 1 FOR UPDATE`), {
        lockTimeoutMs: 200,
      })
      .catch((e: unknown) => e);
    release();
    await holder;
    expect(error).toBeInstanceOf(SqlError);
    expect((error as SqlError).code).toBe(sqlState.lockNotAvailable);
    expect(Date.now() - started).toBeLessThan(2_000);
    await db.query(`DROP TABLE ${table}`);
    await db.close();
  });
});

describe('PostgreSQL pool', () => {
  const count = async (db: SqlDatabase, name: string) =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`,
        [name],
      )
    ).rows[0]!.n;

  it('opens minConnections before traffic and keeps them when idle, closing only the rest', async () => {
    const name = `pool_probe_${process.pid}`;
    const probe = createPgDatabase({ url, maxConnections: 1 });
    const db = createPgDatabase({
      url,
      maxConnections: 5,
      minConnections: 3,
      idleTimeoutMs: 100,
      applicationName: name,
    });
    try {
      expect(await count(probe, name)).toBe(0);
      await db.open();
      expect(await count(probe, name)).toBe(3);
      await Promise.all(Array.from({ length: 5 }, () => db.query('SELECT pg_sleep(0.05)')));
      expect(await count(probe, name)).toBe(5);
      await new Promise((r) => setTimeout(r, 600));
      expect(await count(probe, name)).toBe(3);
    } finally {
      await db.close();
      await probe.close();
    }
  });

  it('open() rejects when the server cannot be reached', async () => {
    const unreachable = new URL(url);
    unreachable.port = '1';
    const db = createPgDatabase({ url: unreachable.toString(), minConnections: 2 });
    await expect(db.open()).rejects.toThrow(/ECONNREFUSED/);
    await db.close();
  });
});
