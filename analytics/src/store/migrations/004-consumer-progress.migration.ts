import type { Migration } from '../migration.runner.js';

/**
 * One row per partition per batch, written with the batch's data, before its offsets are
 * committed: the partition's next offset, the highest event time seen below it and the watermark.
 * After a crash or a rebalance the consumer restores a partition's watermark from the row whose
 * `next_offset` is where redelivery starts, so it judges lateness exactly as before the crash.
 * Redelivery starts at a batch boundary that was committed, and a batch is committed only when
 * all its inserts succeeded, so that row exists and describes data that is in ClickHouse.
 * Rows are only needed for recent offsets; from 20.3 on the server expires them after 7 days
 * (18.16 has no table TTL and keeps them: a few bytes per flush).
 */
export const consumerProgress: Migration = {
  version: 4,
  name: 'consumer progress',
  statements: ({ tableTtl }) => [
    `CREATE TABLE IF NOT EXISTS consumer_progress (
      consumer_group String,
      topic String,
      partition UInt32,
      first_offset UInt64,
      next_offset UInt64,
      max_event_ms UInt64,
      watermark_ms Int64,
      flushed_at DateTime('UTC')
    )
    ENGINE = MergeTree
    ORDER BY (consumer_group, topic, partition, next_offset)
    ${tableTtl ? 'TTL flushed_at + INTERVAL 7 DAY' : ''}`,
  ],
};
