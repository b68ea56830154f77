import { randomBytes } from 'node:crypto';
import { sql, type Generated, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKysely, migrateToLatest } from './kysely.js';
import { SqlError, sqlState, type SqlDatabase } from './sql.port.js';

/**
 * The SQL port's contract, written once and run over every adapter: PGlite in `npm test`,
 * PostgreSQL in `npm run test:integration`. Tables get a random suffix so runs never collide.
 */
export function describeSqlContract(adapter: string, open: () => Promise<SqlDatabase>) {
  describe(`SQL port contract: ${adapter}`, () => {
    let db: SqlDatabase;
    const suffix = randomBytes(4).toString('hex');
    const items = `contract_items_${suffix}`;
    const counters = `contract_counters_${suffix}`;

    beforeAll(async () => {
      db = await open();
      await db.query(`
        CREATE TABLE ${items} (
          id serial PRIMARY KEY,
          name text NOT NULL UNIQUE,
          tags text[] NOT NULL DEFAULT '{}',
          meta jsonb,
          at timestamptz
        );
        CREATE TABLE ${counters} (id int PRIMARY KEY, value int NOT NULL);
        INSERT INTO ${counters} VALUES (1, 0);
      `);
    });

    afterAll(async () => {
      await db.query(`DROP TABLE IF EXISTS ${items}; DROP TABLE IF EXISTS ${counters};`);
      await db.query(
        `DROP TABLE IF EXISTS contract_migration_${suffix}, contract_migration_${suffix}_lock, contract_migrated_${suffix}`,
      );
      await db.close();
    });

    it('binds parameters as values, never as SQL', async () => {
      const hostile = "x'); DROP TABLE " + items + '; --';
      await db.query(`INSERT INTO ${items} (name, tags, meta, at) VALUES ($1, $2, $3, $4)`, [
        hostile,
        ['a', 'b c'],
        JSON.stringify({ n: 1, s: 'é' }),
        new Date('2030-01-02T03:04:05.678Z'),
      ]);
      const { rows } = await db.query<{ name: string; tags: string[]; meta: unknown; at: Date }>(
        `SELECT name, tags, meta, at FROM ${items} WHERE name = $1`,
        [hostile],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.name).toBe(hostile);
      expect(rows[0]!.tags).toEqual(['a', 'b c']);
      expect(rows[0]!.meta).toEqual({ n: 1, s: 'é' });
      expect(rows[0]!.at).toBeInstanceOf(Date);
      expect(rows[0]!.at.toISOString()).toBe('2030-01-02T03:04:05.678Z');
    });

    it('returns counts as numbers and null parameters as NULL', async () => {
      const { rows } = await db.query<{ n: number; missing: null }>(
        `SELECT count(*) AS n, $1::text AS missing FROM ${items}`,
        [null],
      );
      expect(rows[0]).toEqual({ n: 1, missing: null });
    });

    it('reports affected rows', async () => {
      const result = await db.query(`UPDATE ${counters} SET value = value WHERE id = $1`, [1]);
      expect(result.rowCount).toBe(1);
    });

    it('commits a transaction when the callback resolves', async () => {
      const id = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: number }>(
          `INSERT INTO ${items} (name) VALUES ($1) RETURNING id`,
          ['committed'],
        );
        return rows[0]!.id;
      });
      const { rows } = await db.query(`SELECT 1 FROM ${items} WHERE id = $1`, [id]);
      expect(rows).toHaveLength(1);
    });

    it('rolls a transaction back when the callback throws, and rethrows', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${items} (name) VALUES ($1)`, ['rolled-back']);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const { rows } = await db.query(`SELECT 1 FROM ${items} WHERE name = $1`, ['rolled-back']);
      expect(rows).toHaveLength(0);
    });

    it('maps constraint violations to SqlError with the SQLSTATE, and rolls back', async () => {
      const error = await db
        .transaction(async (tx) => {
          await tx.query(`INSERT INTO ${items} (name) VALUES ($1)`, ['dup-a']);
          await tx.query(`INSERT INTO ${items} (name) VALUES ($1)`, ['committed']);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SqlError);
      expect((error as SqlError).code).toBe(sqlState.uniqueViolation);
      const { rows } = await db.query(`SELECT 1 FROM ${items} WHERE name = $1`, ['dup-a']);
      expect(rows).toHaveLength(0);
    });

    it('serialises concurrent read-modify-write transactions with SELECT ... FOR UPDATE', async () => {
      const workers = 20;
      await Promise.all(
        Array.from({ length: workers }, () =>
          db.transaction(async (tx) => {
            const { rows } = await tx.query<{ value: number }>(
              `SELECT value FROM ${counters} WHERE id = 1 FOR UPDATE`,
            );
            // Yield between read and write: without the row lock, updates would be lost here.
            await new Promise((r) => setTimeout(r, 2));
            await tx.query(`UPDATE ${counters} SET value = $1 WHERE id = 1`, [rows[0]!.value + 1]);
          }),
        ),
      );
      const { rows } = await db.query<{ value: number }>(
        `SELECT value FROM ${counters} WHERE id = 1`,
      );
      expect(rows[0]!.value).toBe(workers);
    });

    it('keeps a transaction isolated from work outside it until commit', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const writer = db.transaction(async (tx) => {
        await tx.query(`UPDATE ${counters} SET value = -1 WHERE id = 1`);
        await gate;
        throw new Error('abort');
      });
      // On PostgreSQL the outside read sees the old value at once; on PGlite it waits for the
      // transaction to finish. Either way it must never see the uncommitted -1.
      const reader = db.query<{ value: number }>(`SELECT value FROM ${counters} WHERE id = 1`);
      setTimeout(release, 20);
      await expect(writer).rejects.toThrow('abort');
      expect((await reader).rows[0]!.value).toBe(20);
    });

    it('delivers NOTIFY payloads to listeners after commit only', async () => {
      const channel = `contract_${suffix}`;
      const received: string[] = [];
      const unlisten = await db.listen(channel, (payload) => received.push(payload));
      await db
        .transaction(async (tx) => {
          await tx.query(`SELECT pg_notify($1, $2)`, [channel, 'rolled-back']);
          throw new Error('abort');
        })
        .catch(() => undefined);
      await db.transaction(async (tx) => {
        await tx.query(`SELECT pg_notify($1, $2)`, [channel, 'hello']);
      });
      await expect.poll(() => received, { timeout: 5_000 }).toEqual(['hello']);
      await unlisten();
    });

    it('runs typed Kysely queries and numbered migrations through the port', async () => {
      const table = `contract_migrated_${suffix}`;
      const migrations = {
        '0001_create': {
          up: async (k: Kysely<unknown>) => {
            await k.schema
              .createTable(table)
              .addColumn('id', 'serial', (c) => c.primaryKey())
              .addColumn('label', 'text', (c) => c.notNull())
              .execute();
          },
        },
      };
      const applied = await migrateToLatest(db, migrations, {
        table: `contract_migration_${suffix}`,
      });
      expect(applied).toEqual(['0001_create']);
      expect(
        await migrateToLatest(db, migrations, { table: `contract_migration_${suffix}` }),
      ).toEqual([]);

      type Schema = Record<string, { id: Generated<number>; label: string }>;
      const k = createKysely<Schema>(db);
      await k.transaction().execute(async (trx) => {
        await trx
          .insertInto(table)
          .values([{ label: 'one' }, { label: 'two' }])
          .execute();
      });
      await expect(
        k.transaction().execute(async (trx) => {
          await trx.insertInto(table).values({ label: 'three' }).execute();
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const rows = await k.selectFrom(table).select(['label']).orderBy('id').execute();
      expect(rows.map((r) => r.label)).toEqual(['one', 'two']);
      const { rows: n } = await sql<{
        n: number;
      }>`select count(*)::int as n from ${sql.table(table)}`.execute(k);
      expect(n[0]!.n).toBe(2);
    });
  });
}
