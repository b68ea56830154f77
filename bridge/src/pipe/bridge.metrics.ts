import { Counter, Gauge, Histogram, type Registry } from '@platform/kit';

/**
 * The bridge's metrics, labelled by mapping and direction (a handful of series each: mappings come
 * from a config file, not from traffic).
 */
export function createBridgeMetrics(registry: Registry) {
  const labelNames = ['mapping', 'direction'] as const;
  return {
    messages: new Counter({
      name: 'bridge_messages_total',
      help: 'Source messages done with, by outcome: forwarded, dead_lettered, or echo_skipped (came from the other side through this bridge)',
      labelNames: [...labelNames, 'outcome'] as const,
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'bridge_forwarded_bytes_total',
      help: 'Payload bytes forwarded to the other side',
      labelNames,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'bridge_dead_letters_total',
      help: 'Messages sent to the dead-letter topic or subject, by cause (invalid, no-key, headers, undeliverable)',
      labelNames: [...labelNames, 'cause'] as const,
      registers: [registry],
    }),
    sendFailures: new Counter({
      name: 'bridge_send_failures_total',
      help: 'Sends to the other side that failed and were retried',
      labelNames,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'bridge_in_flight_messages',
      help: 'Messages taken from the source and not yet acknowledged to it',
      labelNames,
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'bridge_source_lag_messages',
      help: 'Messages in the source not yet taken by the mapping’s consumer group (where the source reports it)',
      labelNames,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'bridge_end_to_end_latency_seconds',
      help: 'From the source log storing a message to the other side storing its copy',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'bridge_batch_messages',
      help: 'Messages per batch sent to the other side',
      labelNames,
      buckets: [1, 5, 10, 50, 100, 250, 500, 1_000, 2_500, 5_000],
      registers: [registry],
    }),
  };
}

export type BridgeMetrics = ReturnType<typeof createBridgeMetrics>;

/** The series of one mapping, bound once so the hot path does no label lookups. */
export function routeMetrics(metrics: BridgeMetrics, mapping: string, direction: string) {
  const labels = { mapping, direction };
  return {
    forwarded: metrics.messages.labels({ ...labels, outcome: 'forwarded' }),
    deadLettered: metrics.messages.labels({ ...labels, outcome: 'dead_lettered' }),
    skipped: metrics.messages.labels({ ...labels, outcome: 'echo_skipped' }),
    bytes: metrics.bytes.labels(labels),
    deadLetters: (cause: string) => metrics.deadLetters.labels({ ...labels, cause }),
    sendFailures: metrics.sendFailures.labels(labels),
    inFlight: metrics.inFlight.labels(labels),
    lag: metrics.lag.labels(labels),
    latency: metrics.latency.labels(labels),
    batchSize: metrics.batchSize.labels(labels),
  };
}

export type RouteMetrics = ReturnType<typeof routeMetrics>;
