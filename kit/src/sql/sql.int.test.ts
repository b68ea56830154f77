import { describe, expect, it } from 'vitest';
import { localDefaults } from '../config/config.js';
import { createPgDatabase } from './pg.adapter.js';
import { describeSqlContract } from './sql.contract.js';
import { SqlError, sqlState } from './sql.port.js';

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
