import type { Migration } from '../migration.runner.js';

/**
 * Raw rows as they came off the log, one table per kind, partitioned by month of the event time.
 * Redelivery can insert a row twice: readers count distinct ids (`uniqExact(id)`), never rows.
 * `source_partition` and `source_offset` say where each row came from; the consumer reads them
 * back after a crash to restore its watermarks.
 */
export const rawTables: Migration = {
  version: 1,
  name: 'raw tables',
  statements: ({ lowCardinality }) => {
    const lc = lowCardinality ? 'LowCardinality(String)' : 'String';
    return [
      `CREATE TABLE IF NOT EXISTS interactions (
        id String,
        type ${lc},
        event_id Nullable(String),
        query Nullable(String),
        -- the query trimmed, lower-cased and with single spaces: what search reports group by
        query_key String,
        position Nullable(UInt32),
        result_count Nullable(UInt32),
        occurred_at DateTime('UTC'),
        -- the exact event time; DateTime has whole seconds, watermarks need milliseconds
        occurred_ms UInt64,
        received_at DateTime('UTC'),
        session_id String,
        user_id Nullable(String),
        -- who counts as one person: the user id, or the session id when anonymous
        user_key String,
        -- 1 when the event came after its window's allowed lateness: kept, but in no aggregate
        late UInt8,
        source_partition UInt32,
        source_offset UInt64
      )
      ENGINE = MergeTree
      PARTITION BY toYYYYMM(occurred_at)
      ORDER BY (type, occurred_at, id)`,

      `CREATE TABLE IF NOT EXISTS registrations (
        message_id String,
        -- registration.confirmed | waitlisted | cancelled | promoted
        type ${lc},
        registration_id String,
        event_id String,
        user_id String,
        status ${lc},
        position Nullable(UInt32),
        capacity UInt32,
        confirmed_count UInt32,
        waitlist_count UInt32,
        event_revision UInt32,
        occurred_at DateTime('UTC'),
        source_partition UInt32,
        source_offset UInt64
      )
      ENGINE = MergeTree
      PARTITION BY toYYYYMM(occurred_at)
      ORDER BY (event_id, occurred_at, registration_id)`,

      // The event dimension: one row per event.* message; the highest revision is the event.
      // Readers take argMax(column, revision), which is right before and after merges.
      `CREATE TABLE IF NOT EXISTS event_dimension (
        event_id String,
        revision UInt32,
        title String,
        category ${lc},
        city ${lc},
        organizer_id String,
        status ${lc},
        starts_at DateTime('UTC'),
        updated_at DateTime('UTC')
      )
      ENGINE = ReplacingMergeTree(revision)
      ORDER BY event_id`,
    ];
  },
};
