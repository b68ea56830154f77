import { Counter, Gauge, Histogram, type Registry } from '@platform/kit';

/** The stream processor's Prometheus series. Rates (rows/s, events/s) come from rate() over
 * the counters. */
export function createConsumerMetrics(registry: Registry) {
  const registers = [registry];
  return {
    messages: new Counter({
      name: 'analytics_messages_total',
      help: 'Messages handled, by topic and outcome (interaction, event, registration, ignored, invalid)',
      labelNames: ['topic', 'outcome'] as const,
      registers,
    }),
    windowsEmitted: new Counter({
      name: 'analytics_windows_emitted_total',
      help: 'One-minute windows the global watermark completed',
      registers,
    }),
    windowUpdates: new Counter({
      name: 'analytics_window_updates_total',
      help: 'Emitted windows changed by records inside the allowed lateness',
      registers,
    }),
    lateInteractions: new Counter({
      name: 'analytics_late_interactions_total',
      help: 'Interactions behind the watermark: accepted within the allowed lateness, or dropped past it',
      labelNames: ['outcome'] as const,
      registers,
    }),
    deadLetters: new Counter({
      name: 'analytics_dead_letters_total',
      help: 'Messages sent to <topic>.dlq, by source topic and reason',
      labelNames: ['topic', 'reason'] as const,
      registers,
    }),
    insertedRows: new Counter({
      name: 'analytics_inserted_rows_total',
      help: 'Rows inserted into ClickHouse, by table',
      labelNames: ['table'] as const,
      registers,
    }),
    insertSeconds: new Histogram({
      name: 'analytics_insert_duration_seconds',
      help: 'Duration of one INSERT, by table',
      labelNames: ['table'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'analytics_batch_duration_seconds',
      help: 'Time to handle one batch, from delivery to ack',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    endToEndSeconds: new Histogram({
      name: 'analytics_end_to_end_seconds',
      help: 'From the log storing a message to its batch being in ClickHouse',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers,
    }),
    watermarkLag: new Gauge({
      name: 'analytics_watermark_lag_seconds',
      help: 'Wall-clock time minus the global event-time watermark',
      registers,
    }),
    consumerLag: new Gauge({
      name: 'analytics_consumer_lag_messages',
      help: 'Messages in the log not yet committed by the analytics group, by topic and partition',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
  };
}

export type ConsumerMetrics = ReturnType<typeof createConsumerMetrics>;
