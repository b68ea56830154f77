import { topics as platformTopics } from '@platform/contracts';
import { createKafka, type ServiceContext } from '@platform/kit';
import { createKafkaLog, startKafkaLagProbe } from '@platform/kit/messaging';
import type { AnalyticsConfig } from './config.js';
import { AnalyticsConsumer } from './consumer/analytics.consumer.js';
import { createConsumerMetrics } from './consumer/consumer.metrics.js';
import type { AnalyticsStore } from './store/analytics-store.port.js';
import { openAnalyticsStore } from './store/analytics-store.factory.js';
import { migrate } from './store/migration.runner.js';

export interface AnalyticsService {
  store: AnalyticsStore;
  consumer: AnalyticsConsumer;
  kafka: ReturnType<typeof createKafka>;
}

/**
 * Wires the stream processor: store (migrated), Kafka message log, consumer, lag probe, each
 * registered for graceful shutdown in the right order. `main.ts` runs it as configured; the
 * crash tests and the benchmark run the same wiring on topics and a group of their own.
 */
export async function startAnalyticsService(
  config: AnalyticsConfig,
  ctx: ServiceContext,
  overrides: { group?: string; topics?: { interactions: string; domain: string } } = {},
): Promise<AnalyticsService> {
  const group = overrides.group ?? 'analytics';
  const topics = overrides.topics ?? {
    interactions: platformTopics.interactions,
    domain: platformTopics.domain,
  };
  const store = await openAnalyticsStore(
    config.ANALYTICS_STORE === 'chdb'
      ? { kind: 'chdb', path: config.ANALYTICS_CHDB_PATH, database: config.CLICKHOUSE_DATABASE }
      : {
          kind: 'clickhouse',
          url: config.CLICKHOUSE_URL,
          username: config.CLICKHOUSE_USER,
          password: config.CLICKHOUSE_PASSWORD,
          database: config.CLICKHOUSE_DATABASE,
        },
  );
  ctx.shutdown.add('analytics store', () => store.close());
  const applied = await migrate(store);
  const version = await store.serverVersion();
  ctx.logger.info(
    { applied, clickhouse: version.text, store: store.kind },
    'analytics store ready',
  );

  const log = await createKafkaLog({
    brokers: config.KAFKA_BROKERS,
    clientId: 'analytics',
    logger: ctx.logger,
    // Big fetches: each batch becomes one large INSERT, which is what ClickHouse wants. Two
    // partitions at once: one batch is parsed and windowed while another's inserts run, instead
    // of the processor idling for every INSERT.
    consumer: {
      sessionTimeoutMs: config.ANALYTICS_KAFKA_SESSION_TIMEOUT_MS,
      maxBytesPerPartition: 8 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      partitionsConcurrently: 2,
    },
  });
  ctx.shutdown.add('message log', () => log.close());

  const metrics = createConsumerMetrics(ctx.metrics);
  const consumer = new AnalyticsConsumer({
    log,
    store,
    logger: ctx.logger,
    metrics,
    options: {
      group,
      topics,
      maxBatch: config.ANALYTICS_MAX_BATCH,
      windows: {
        delayMs: config.ANALYTICS_WATERMARK_DELAY_MS,
        allowedLatenessMs: config.ANALYTICS_ALLOWED_LATENESS_MS,
        idleTimeoutMs: config.ANALYTICS_IDLE_TIMEOUT_MS,
      },
    },
  });
  await consumer.start();
  // Registered last, so it runs first: stop fetching and finish the batch in flight before the
  // log and the store close.
  ctx.shutdown.add('consumer', () => consumer.stop());

  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'analytics-ops',
    logger: ctx.logger,
  });
  ctx.shutdown.add(
    'consumer lag probe',
    startKafkaLagProbe({
      admin: kafka.admin(),
      group,
      topics: [topics.interactions, topics.domain],
      gauge: metrics.consumerLag,
      logger: ctx.logger,
    }),
  );
  return { store, consumer, kafka };
}
