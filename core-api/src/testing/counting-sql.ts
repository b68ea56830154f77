import type { SqlDatabase } from '@platform/kit/sql';

/**
 * The real database, with a count of the queries sent through it that `counts` picks, and of
 * the rows they brought back: for tests of what a component reads.
 */
export function countingSql(
  sql: SqlDatabase,
  counts: (text: string) => boolean = () => true,
): { sql: SqlDatabase; queries: number; rows: number; reset(): void } {
  const counter = {
    queries: 0,
    rows: 0,
    reset() {
      counter.queries = 0;
      counter.rows = 0;
    },
    sql: Object.create(sql, {
      query: {
        value: async (text: string, params?: unknown[]) => {
          const result = await sql.query(text, params);
          if (counts(text)) {
            counter.queries++;
            counter.rows += result.rows.length;
          }
          return result;
        },
      },
    }) as SqlDatabase,
  };
  return counter;
}
