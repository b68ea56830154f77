import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type StoreKind, type TestStore } from '../testing/test-stores.js';
import { AnalyticsStoreError, type AnalyticsStore } from './analytics-store.port.js';
import { migrate } from './migration.runner.js';
import { migrations } from './migrations/index.js';

const minute = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * The analytics store port's contract, written once and run over both adapters: chdb in
 * `npm test` (chdb.store.test.ts), the ClickHouse server in integration
 * (clickhouse.store.int.test.ts). Each run works in a database of its own.
 */
export function describeStoreContract(kind: StoreKind) {
  describe(`analytics store contract: ${kind}`, () => {
    let t: TestStore;
    let store: AnalyticsStore;

    beforeAll(async () => {
      t = await openTestStore(kind);
      store = t.store;
    });
    afterAll(() => t?.drop());

    it('round-trips hostile strings as values, never as SQL', async () => {
      const values = [
        `'); DROP DATABASE ${store.database}; --`,
        "back\\slash \\' quote \\",
        'line\nbreak\ttab\r\0nul\u0001',
        'Ærø 🎉 日本 {b:String}',
        '',
      ];
      for (const s of values) {
        const [row] = await store.query<{ s: string; n: number }>(
          'SELECT {s:String} AS s, length({s:String}) AS n',
          { s },
        );
        expect(row!.s).toBe(s);
        expect(Number(row!.n)).toBe(Buffer.byteLength(s));
      }
    });

    it('binds numbers, instants, arrays and NULL to the declared types', async () => {
      const [row] = await store.query<Record<string, unknown>>(
        `SELECT
          {big:UInt64} = 18446744073709551615 AS big_ok,
          {neg:Int64} AS neg,
          {f:Float64} AS f,
          toUInt32({at:DateTime}) AS at,
          toString({at:DateTime}) AS at_text,
          {names:Array(String)} AS names,
          length({none:Array(String)}) AS none,
          has({ids:Array(UInt32)}, 3) AS has3,
          isNull({missing:Nullable(String)}) AS missing`,
        {
          big: 18_446_744_073_709_551_615n,
          neg: -9_007_199_254_740_991,
          f: 0.125,
          at: new Date('2024-02-29T23:59:59.900Z'),
          names: ["o'neil", 'a\\b'],
          none: [],
          ids: [1, 3],
          missing: null,
        },
      );
      expect(Number(row!.big_ok)).toBe(1);
      expect(Number(row!.neg)).toBe(-9_007_199_254_740_991);
      expect(row!.f).toBe(0.125);
      expect(Number(row!.at)).toBe(minute('2024-02-29T23:59:59Z'));
      expect(row!.at_text).toBe('2024-02-29 23:59:59');
      expect(row!.names).toEqual(["o'neil", 'a\\b']);
      expect(Number(row!.none)).toBe(0);
      expect(Number(row!.has3)).toBe(1);
      expect(Number(row!.missing)).toBe(1);
    });

    it('returns 64-bit counts as numbers', async () => {
      const [row] = await store.query<{ n: unknown }>('SELECT count() AS n FROM system.one');
      expect(row!.n).toBe(1);
    });

    it('reports its server version', async () => {
      const version = await store.serverVersion();
      expect(version.major).toBeGreaterThanOrEqual(18);
      const [row] = await store.query<{ v: string }>('SELECT version() AS v');
      expect(version.text).toBe(row!.v);
    });

    it('rejects a bad statement with an AnalyticsStoreError naming the SQL', async () => {
      const error = await store.query('SELECT no_such_column FROM system.one').catch((e) => e);
      expect(error).toBeInstanceOf(AnalyticsStoreError);
      expect(String(error.message)).toContain('no_such_column');
    });

    it('applies every migration once, and a second run applies none', async () => {
      const first = await migrate(store);
      expect(first).toEqual(migrations.map((m) => m.version));
      expect(await migrate(store)).toEqual([]);
      const tables = await store.query<{ name: string }>(
        'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name',
        { db: store.database },
      );
      expect(tables.map((r) => r.name)).toEqual(
        expect.arrayContaining([
          'category_windows_1m',
          'consumer_progress',
          'event_dimension',
          'event_dimension_latest',
          'interaction_window_deltas',
          'interaction_windows_1d',
          'interaction_windows_1h',
          'interaction_windows_1m',
          'interaction_windows_5m',
          'interactions',
          'registrations',
          'schema_migrations',
        ]),
      );
      const ledger = await store.query<{ version: number }>(
        'SELECT DISTINCT version FROM schema_migrations ORDER BY version',
      );
      expect(ledger.map((r) => Number(r.version))).toEqual(first);
    });

    it('inserts raw interaction rows with Unicode, NULLs and epoch-second timestamps', async () => {
      await migrate(store);
      const at = minute('2024-03-01T10:00:30Z');
      await store.insert('interactions', [
        {
          id: 'i-1',
          type: 'search',
          event_id: null,
          query: 'Jazz i Ærø "quoted" \\ 🎺',
          query_key: 'jazz i ærø "quoted" \\ 🎺',
          position: null,
          result_count: 0,
          occurred_at: at,
          occurred_ms: at * 1000 + 250,
          received_at: at + 1,
          session_id: 'session-1',
          user_id: null,
          user_key: 's:session-1',
          late: 0,
          source_partition: 3,
          source_offset: 9_007_199_254_740_991,
        },
      ]);
      const rows = await store.query<Record<string, unknown>>(
        `SELECT query, event_id, toUInt32(occurred_at) AS at, occurred_ms, source_offset
        FROM interactions WHERE id = {id:String}`,
        { id: 'i-1' },
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.query).toBe('Jazz i Ærø "quoted" \\ 🎺');
      expect(rows[0]!.event_id).toBeNull();
      expect(Number(rows[0]!.at)).toBe(at);
      expect(Number(rows[0]!.occurred_ms)).toBe(at * 1000 + 250);
      expect(Number(rows[0]!.source_offset)).toBe(9_007_199_254_740_991);
    });

    it('adds the interaction surface column once; rows written without it read as empty', async () => {
      await migrate(store);
      const at = minute('2024-03-02T10:00:00Z');
      const row = (id: string) => ({
        id,
        type: 'click',
        event_id: 'e-1',
        query: null,
        query_key: '',
        position: 2,
        result_count: null,
        occurred_at: at,
        occurred_ms: at * 1000,
        received_at: at,
        session_id: 'session-1',
        user_id: null,
        user_key: 's:session-1',
        late: 0,
        source_partition: 0,
        source_offset: 1,
      });
      await store.insert('interactions', [row('surface-none')]);
      await store.insert('interactions', [{ ...row('surface-set'), surface: 'recommendations' }]);
      // The guarded ALTER runs again under another version number: the column is there, so it
      // is skipped rather than failing with "column already exists" (18.16 has no IF NOT EXISTS).
      const again = migrations.find((m) => m.name === 'interaction surface')!;
      expect(await migrate(store, [...migrations, { ...again, version: 1_000 }])).toEqual([1_000]);
      const read = await store.query<{ id: string; surface: string }>(
        `SELECT id, surface FROM interactions WHERE id IN ('surface-none', 'surface-set') ORDER BY id`,
      );
      expect(read).toEqual([
        { id: 'surface-none', surface: '' },
        { id: 'surface-set', surface: 'recommendations' },
      ]);
    });

    it('inserts hostile strings, arrays, NULLs and 64-bit numbers exactly as given', async () => {
      await store.command(
        `CREATE TABLE IF NOT EXISTS insert_probe (
          k UInt32, s String, n Nullable(String), a Array(String), i Int64, u UInt64, f Float64, b UInt8
        ) ENGINE = Memory`,
      );
      const hostile = [
        'tab\there',
        'new\nline\r\n',
        'back\\slash \\t not a tab',
        "quote ' and \\' and \"",
        'nul\0 bell\u0007 del\u007f',
        '\\N',
        '',
        'Ærø 🎉 [1,2] {a:String}',
      ];
      const rows = hostile.map((s, k) => ({
        k,
        s,
        n: k % 2 ? null : s,
        a: [s, `${s}!`, ''],
        i: -9_007_199_254_740_991,
        u: 18_446_744_073_709_551_615n,
        f: -0.125,
        b: k % 2 === 0,
      }));
      await store.insert('insert_probe', rows);
      const read = await store.query<Record<string, unknown>>(
        'SELECT k, s, n, a, i, toString(u) AS u, f, b FROM insert_probe ORDER BY k',
      );
      expect(read.map((r) => r.s)).toEqual(hostile);
      expect(read.map((r) => r.n)).toEqual(hostile.map((s, k) => (k % 2 ? null : s)));
      expect(read.map((r) => r.a)).toEqual(hostile.map((s) => [s, `${s}!`, '']));
      expect(read.map((r) => Number(r.i))).toEqual(hostile.map(() => -9_007_199_254_740_991));
      expect(read.map((r) => r.u)).toEqual(hostile.map(() => '18446744073709551615'));
      expect(read.map((r) => [r.f, Number(r.b)])).toEqual(
        hostile.map((_, k) => [-0.125, k % 2 ? 0 : 1]),
      );
    });

    it('merges window deltas as sets: re-inserting a batch changes nothing', async () => {
      await migrate(store);
      const w = minute('2024-03-01T10:01:00Z');
      const delta = (ids: string[], users: string[]) => ({
        window_start: w,
        event_id: 'e-1',
        type: 'view',
        interaction_ids: ids,
        user_keys: users,
      });
      const batchA = [delta(['a', 'b', 'c'], ['u1', 'u1', 'u2'])];
      const batchB = [delta(['c', 'd'], ['u2', 's:x'])];
      await store.insert('interaction_window_deltas', batchA);
      await store.insert('interaction_window_deltas', batchB);
      const read = () =>
        store.query<{ n: number; u: number }>(
          `SELECT uniqExactMerge(interactions) AS n, uniqExactMerge(users) AS u
          FROM interaction_windows_1m WHERE event_id = 'e-1' AND type = 'view'`,
        );
      expect((await read()).map((r) => [Number(r.n), Number(r.u)])).toEqual([[4, 3]]);
      // A redelivery writes the same deltas again, whole or cut differently.
      await store.insert('interaction_window_deltas', [...batchA, ...batchB]);
      await store.insert('interaction_window_deltas', [delta(['b'], ['u1'])]);
      expect((await read()).map((r) => [Number(r.n), Number(r.u)])).toEqual([[4, 3]]);
    });

    it('rolls one-minute windows up to 5 minutes, hours, days and categories exactly', async () => {
      await migrate(store);
      const at = (iso: string) => minute(iso);
      await store.insert('interaction_window_deltas', [
        {
          window_start: at('2024-04-02T09:58:00Z'),
          event_id: 'e-2',
          type: 'click',
          interaction_ids: ['k1', 'k2'],
          user_keys: ['u1', 'u2'],
        },
        {
          window_start: at('2024-04-02T09:59:00Z'),
          event_id: 'e-2',
          type: 'click',
          interaction_ids: ['k3'],
          user_keys: ['u1'],
        },
        {
          window_start: at('2024-04-02T10:00:00Z'),
          event_id: 'e-2',
          type: 'click',
          interaction_ids: ['k4'],
          user_keys: ['u3'],
        },
        {
          window_start: at('2024-04-02T10:00:00Z'),
          event_id: 'e-3',
          type: 'click',
          interaction_ids: ['k5'],
          user_keys: ['u1'],
        },
      ]);
      const rollup = (view: string) =>
        store.query<{ t: number; n: number; u: number }>(
          `SELECT toUInt32(window_start) AS t, uniqExactMerge(interactions) AS n, uniqExactMerge(users) AS u
          FROM ${view} WHERE type = 'click' AND event_id IN ('e-2', 'e-3')
          GROUP BY window_start ORDER BY window_start`,
        );
      const asTuples = (rows: { t: number; n: number; u: number }[]) =>
        rows.map((r) => [Number(r.t), Number(r.n), Number(r.u)]);
      expect(asTuples(await rollup('interaction_windows_5m'))).toEqual([
        [at('2024-04-02T09:55:00Z'), 3, 2],
        [at('2024-04-02T10:00:00Z'), 2, 2],
      ]);
      expect(asTuples(await rollup('interaction_windows_1h'))).toEqual([
        [at('2024-04-02T09:00:00Z'), 3, 2],
        [at('2024-04-02T10:00:00Z'), 2, 2],
      ]);
      expect(asTuples(await rollup('interaction_windows_1d'))).toEqual([
        [at('2024-04-02T00:00:00Z'), 5, 3],
      ]);

      const dimension = (id: string, revision: number, category: string, city: string) => ({
        event_id: id,
        revision,
        title: `Event ${id}`,
        category,
        city,
        organizer_id: 'o-1',
        status: 'published',
        starts_at: at('2024-05-01T18:00:00Z'),
        updated_at: at('2024-04-01T00:00:00Z'),
      });
      // Revisions arrive out of order; the highest wins.
      await store.insert('event_dimension', [dimension('e-2', 3, 'jazz', 'Oslo')]);
      await store.insert('event_dimension', [
        dimension('e-2', 1, 'rock', 'Bergen'),
        dimension('e-3', 1, 'jazz', 'Oslo'),
      ]);
      const byCategory = await store.query<Record<string, unknown>>(
        `SELECT category, city, uniqExactMerge(interactions) AS n, uniqExactMerge(users) AS u
        FROM category_windows_1m WHERE type = 'click' AND category != ''
        GROUP BY category, city ORDER BY category, city`,
      );
      expect(byCategory.map((r) => [r.category, r.city, Number(r.n), Number(r.u)])).toEqual([
        ['jazz', 'Oslo', 5, 3],
      ]);
      const [latest] = await store.query<Record<string, unknown>>(
        `SELECT category, revision FROM event_dimension_latest WHERE event_id = 'e-2'`,
      );
      expect([latest!.category, Number(latest!.revision)]).toEqual(['jazz', 3]);
    });

    it('keeps two databases apart when their statements interleave', async () => {
      const other = await openTestStore(kind);
      try {
        await store.command(
          'CREATE TABLE IF NOT EXISTS isolation_probe (v String) ENGINE = Memory',
        );
        await other.store.command(
          'CREATE TABLE IF NOT EXISTS isolation_probe (v String) ENGINE = Memory',
        );
        await Promise.all([
          store.insert('isolation_probe', [{ v: 'mine' }]),
          other.store.insert('isolation_probe', [{ v: 'theirs' }]),
        ]);
        const [mine, theirs] = await Promise.all([
          store.query<{ v: string }>('SELECT v FROM isolation_probe'),
          other.store.query<{ v: string }>('SELECT v FROM isolation_probe'),
        ]);
        expect(mine.map((r) => r.v)).toEqual(['mine']);
        expect(theirs.map((r) => r.v)).toEqual(['theirs']);
      } finally {
        await other.drop();
      }
    });
  });
}
