export * from './config.js';
export type { AnalyticsStore } from './store/analytics-store.port.js';
export { AnalyticsStoreError } from './store/analytics-store.port.js';
export { openAnalyticsStore, type AnalyticsStoreConfig } from './store/analytics-store.factory.js';
export { createChdbStore } from './store/chdb.store.js';
export { createClickHouseStore } from './store/clickhouse.store.js';
export { migrate } from './store/migration.runner.js';
export { createAnalyticsQueries, type AnalyticsQueries } from './queries/analytics.queries.js';
export { AnalyticsConsumer, type AnalyticsConsumerOptions } from './consumer/analytics.consumer.js';
export { createConsumerMetrics } from './consumer/consumer.metrics.js';
export { recentViewCounts } from './queries/recent-views.query.js';
/** For the benchmark's ClickHouse ingest reference: the processor's own raw-row encoding. */
export { encodeInteractions } from './consumer/analytics.writer.js';
export { parseInteractionMessage } from './consumer/message.parser.js';
