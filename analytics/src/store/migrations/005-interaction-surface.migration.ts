import type { Migration } from '../migration.runner.js';

/**
 * Where in the product an interaction happened (`discover`, `recommendations`, `trending`,
 * `similar`, `search`, `suggest`, `event`; '' for messages from before the field existed), so
 * recommendation click-through is clicks over impressions with `surface = 'recommendations'`.
 *
 * 18.16 has no `ADD COLUMN IF NOT EXISTS`, so the statement is guarded by a look at
 * `system.columns` (see `GuardedStatement`): run again after a crash, it does nothing.
 */
export const interactionSurface: Migration = {
  version: 5,
  name: 'interaction surface',
  statements: ({ lowCardinality }) => [
    {
      sql: `ALTER TABLE interactions
        ADD COLUMN surface ${lowCardinality ? 'LowCardinality(String)' : 'String'} DEFAULT ''
        AFTER result_count`,
      doneIf: `SELECT 1 AS done FROM system.columns
        WHERE database = currentDatabase() AND table = 'interactions' AND name = 'surface'`,
    },
  ],
};
