import type { Migration } from '../migration.runner.js';

/**
 * One-minute windows per (event, interaction type), stored as sets rather than numbers.
 *
 * `interactions` holds the exact set of interaction ids in the window and `users` the exact set
 * of user keys (uniqExact states). Adding a batch is a set union, which is idempotent: writing the
 * same batch again after a crash, or a duplicate message, changes nothing. That is what makes the
 * figures exact under at-least-once delivery on every ClickHouse version (see README).
 *
 * The consumer inserts its per-batch window deltas into the Null table below (nothing is stored
 * there); the materialized view turns each delta into states for the AggregatingMergeTree, which
 * merges rows with the same key in the background. Readers always merge with `uniqExactMerge`
 * and GROUP BY, so unmerged parts never show.
 */
export const interactionWindows: Migration = {
  version: 2,
  name: 'interaction windows',
  statements: () => [
    `CREATE TABLE IF NOT EXISTS interaction_windows_1m (
      window_start DateTime('UTC'),
      -- '' for interactions without an event (searches)
      event_id String,
      type String,
      interactions AggregateFunction(uniqExact, String),
      users AggregateFunction(uniqExact, String)
    )
    ENGINE = AggregatingMergeTree
    PARTITION BY toYYYYMM(window_start)
    ORDER BY (event_id, type, window_start)`,

    `CREATE TABLE IF NOT EXISTS interaction_window_deltas (
      window_start DateTime('UTC'),
      event_id String,
      type String,
      -- parallel arrays: the i-th interaction and the person who did it
      interaction_ids Array(String),
      user_keys Array(String)
    )
    ENGINE = Null`,

    `CREATE MATERIALIZED VIEW IF NOT EXISTS interaction_windows_1m_mv
    TO interaction_windows_1m
    AS SELECT
      window_start,
      event_id,
      type,
      uniqExactState(interaction_id) AS interactions,
      uniqExactState(user_key) AS users
    FROM interaction_window_deltas
    ARRAY JOIN interaction_ids AS interaction_id, user_keys AS user_key
    GROUP BY window_start, event_id, type`,
  ],
};
