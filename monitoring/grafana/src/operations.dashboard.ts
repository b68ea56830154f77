import { dashboard, prom, promInstant } from './grafana.model.js';

/*
 * PromQL over the raw series with $__rate_interval, so panels follow the time picker (the
 * recording rules in monitoring/prometheus/rules are fixed 5-minute windows for the alerts).
 * Ratios add `or <denominator> * 0` to the numerator so a service without errors shows 0, not
 * "no data".
 */

const services = 'job=~"core-api|bridge|analytics|search|ml"';
const notLive = 'route!~".*/live"';

export const operationsDashboard = dashboard({
  uid: 'platform-operations',
  title: 'Operations',
  description:
    'Is everything healthy: RED per service, the outbox, the bridge, consumer lag, dead letters, the ClickHouse writer, search and the processes. Data: Prometheus.',
  tags: ['platform', 'operations', 'prometheus'],
  from: 'now-3h',
  refresh: '30s',
  panels: [
    { row: 'Services' },
    {
      type: 'stat',
      title: 'Up',
      description: '1 when Prometheus can scrape the service (alert: ServiceDown).',
      width: 24,
      height: 4,
      options: { colorMode: 'background', graphMode: 'none' },
      targets: [promInstant(`up{${services}}`, '{{job}}')],
    },
    {
      type: 'timeseries',
      title: 'Requests per second',
      description: 'HTTP requests per service (RED: rate).',
      width: 8,
      unit: 'reqps',
      targets: [prom(`sum by (job) (rate(http_requests_total[$__rate_interval]))`, '{{job}}')],
    },
    {
      type: 'timeseries',
      title: '5xx ratio',
      description:
        'Share of requests answered with a 5xx (RED: errors; alert: HighErrorRatio above 5%).',
      width: 8,
      unit: 'percentunit',
      targets: [
        prom(
          `(sum by (job) (rate(http_requests_total{status=~"5.."}[$__rate_interval]))
            or sum by (job) (rate(http_requests_total[$__rate_interval])) * 0)
          / sum by (job) (rate(http_requests_total[$__rate_interval]))`,
          '{{job}}',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'p99 latency',
      description:
        'HTTP request duration, 99th percentile, without Server-Sent Events streams (RED: duration; alert: HighLatencyP99 above 500 ms).',
      width: 8,
      unit: 's',
      targets: [
        prom(
          `histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket{${notLive}}[$__rate_interval])))`,
          '{{job}}',
        ),
      ],
    },
    {
      type: 'table',
      title: 'Busiest routes',
      description:
        'Requests per second by route template and method (core-api), at the end of the range.',
      width: 12,
      targets: [
        promInstant(
          `topk(15, sum by (job, route, method) (rate(http_requests_total{job="core-api"}[$__rate_interval])))`,
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'p99 latency by route',
      description: 'core-api routes, 99th percentile.',
      width: 12,
      unit: 's',
      targets: [
        prom(
          `histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{job="core-api", ${notLive}}[$__rate_interval])))`,
          '{{route}}',
        ),
      ],
    },

    { row: 'Registrations and ingest' },
    {
      type: 'timeseries',
      title: 'Registrations by outcome',
      description:
        'Registration requests per second by what they got (confirmed, waitlisted, existing, refused).',
      width: 8,
      unit: 'reqps',
      stacked: true,
      targets: [
        prom(`sum by (outcome) (rate(registrations_total[$__rate_interval]))`, '{{outcome}}'),
      ],
    },
    {
      type: 'timeseries',
      title: 'Cancellations and waitlist promotions',
      description: 'Cancellations per second, and people promoted from the waitlist by cause.',
      width: 8,
      targets: [
        prom(`sum(rate(registration_cancellations_total[$__rate_interval]))`, 'cancellations'),
        prom(
          `sum by (cause) (rate(waitlist_promotions_total[$__rate_interval]))`,
          'promoted ({{cause}})',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Interactions ingested',
      description: 'Interactions accepted per second by type, and refused by reason.',
      width: 8,
      stacked: true,
      targets: [
        prom(`sum by (type) (rate(interactions_accepted_total[$__rate_interval]))`, '{{type}}'),
        prom(
          `sum by (reason) (rate(interactions_rejected_total[$__rate_interval]))`,
          'refused: {{reason}}',
        ),
      ],
    },

    { row: 'Outbox and bridge' },
    {
      type: 'timeseries',
      title: 'Outbox backlog',
      description:
        'Outbox messages not yet published to NATS, and the age of the oldest (alert: OutboxBacklogGrowing).',
      width: 8,
      targets: [
        prom(`max(outbox_backlog_messages)`, 'messages waiting'),
        prom(`max(outbox_relay_lag_seconds)`, 'oldest (s)'),
      ],
    },
    {
      type: 'timeseries',
      title: 'Outbox published',
      description: 'Outbox messages published to JetStream per second.',
      width: 8,
      unit: 'ops',
      targets: [prom(`sum(rate(outbox_published_messages_total[$__rate_interval]))`, 'published')],
    },
    {
      type: 'timeseries',
      title: 'Bridge throughput',
      description: 'Messages forwarded per second per mapping and direction.',
      width: 8,
      unit: 'ops',
      targets: [
        prom(
          `sum by (mapping, direction) (rate(bridge_messages_total{outcome="forwarded"}[$__rate_interval]))`,
          '{{mapping}} {{direction}}',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Bridge bytes',
      description: 'Payload bytes forwarded per second per mapping.',
      width: 8,
      unit: 'Bps',
      targets: [
        prom(
          `sum by (mapping, direction) (rate(bridge_forwarded_bytes_total[$__rate_interval]))`,
          '{{mapping}} {{direction}}',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Bridge latency p99',
      description: 'From the source log storing a message to the other side storing its copy.',
      width: 8,
      unit: 's',
      targets: [
        prom(
          `histogram_quantile(0.99, sum by (mapping, direction, le) (rate(bridge_end_to_end_latency_seconds_bucket[$__rate_interval])))`,
          '{{mapping}} {{direction}}',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Bridge in flight',
      description: 'Messages taken from the source and not yet acknowledged, per mapping.',
      width: 8,
      targets: [
        prom(
          `sum by (mapping, direction) (bridge_in_flight_messages)`,
          '{{mapping}} {{direction}}',
        ),
      ],
    },

    { row: 'Consumers and dead letters' },
    {
      type: 'timeseries',
      title: 'Consumer lag',
      description:
        'Messages not yet committed per consumer group (job) and topic; the bridge per mapping (alert: ConsumerLagGrowing).',
      width: 12,
      targets: [
        prom(
          `sum by (job, topic) (analytics_consumer_lag_messages)
          or sum by (job, topic) (search_indexer_consumer_lag_messages)
          or sum by (job, mapping) (bridge_source_lag_messages)`,
          '{{job}} {{topic}}{{mapping}}',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Dead letters',
      description:
        'Messages sent to <topic>.dlq per second, by source and reason (alert: DeadLettersAppearing).',
      width: 12,
      targets: [
        prom(
          `sum by (job, topic, reason) (rate(analytics_dead_letters_total[$__rate_interval]))
          or sum by (job, mapping, cause) (rate(bridge_dead_letters_total[$__rate_interval]))`,
          '{{job}} {{topic}}{{mapping}} {{reason}}{{cause}}',
        ),
      ],
    },

    { row: 'Analytics (ClickHouse writer)' },
    {
      type: 'timeseries',
      title: 'ClickHouse insert rate',
      description: 'Rows inserted per second by table.',
      width: 8,
      unit: 'rowsps',
      stacked: true,
      targets: [
        prom(`sum by (table) (rate(analytics_inserted_rows_total[$__rate_interval]))`, '{{table}}'),
      ],
    },
    {
      type: 'timeseries',
      title: 'Insert duration p99',
      description: 'Duration of one INSERT, by table.',
      width: 8,
      unit: 's',
      targets: [
        prom(
          `histogram_quantile(0.99, sum by (table, le) (rate(analytics_insert_duration_seconds_bucket[$__rate_interval])))`,
          '{{table}}',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Freshness',
      description:
        'Log append to ClickHouse (p99), and how far the event-time watermark is behind the clock.',
      width: 8,
      unit: 's',
      targets: [
        prom(
          `histogram_quantile(0.99, sum by (le) (rate(analytics_end_to_end_seconds_bucket[$__rate_interval])))`,
          'end to end p99',
        ),
        prom(`max(analytics_watermark_lag_seconds)`, 'watermark lag'),
      ],
    },
    {
      type: 'timeseries',
      title: 'Windows and late interactions',
      description:
        'One-minute windows emitted and updated, and interactions behind the watermark by outcome.',
      width: 12,
      targets: [
        prom(`sum(rate(analytics_windows_emitted_total[$__rate_interval]))`, 'windows emitted'),
        prom(`sum(rate(analytics_window_updates_total[$__rate_interval]))`, 'windows updated'),
        prom(
          `sum by (outcome) (rate(analytics_late_interactions_total[$__rate_interval]))`,
          'late: {{outcome}}',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Messages consumed',
      description: 'Messages handled by the analytics consumer, by topic and outcome.',
      width: 12,
      stacked: true,
      targets: [
        prom(
          `sum by (topic, outcome) (rate(analytics_messages_total[$__rate_interval]))`,
          '{{topic}} {{outcome}}',
        ),
      ],
    },

    { row: 'Search' },
    {
      type: 'timeseries',
      title: 'Search latency p99',
      description: 'Time the search index took to answer, by endpoint (search, suggest).',
      width: 8,
      unit: 's',
      targets: [
        prom(
          `histogram_quantile(0.99, sum by (endpoint, le) (rate(search_query_duration_seconds_bucket[$__rate_interval])))`,
          '{{endpoint}}',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Zero-result queries',
      description: 'Share of queries that found nothing, by endpoint.',
      width: 8,
      unit: 'percentunit',
      targets: [
        prom(
          `(sum by (endpoint) (rate(search_queries_total{results="none"}[$__rate_interval]))
            or sum by (endpoint) (rate(search_queries_total[$__rate_interval])) * 0)
          / sum by (endpoint) (rate(search_queries_total[$__rate_interval]))`,
          '{{endpoint}}',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Search indexing',
      description: 'Domain messages applied to the search index per second, by outcome.',
      width: 8,
      targets: [
        prom(
          `sum by (outcome) (rate(search_indexed_messages_total[$__rate_interval]))`,
          '{{outcome}}',
        ),
      ],
    },

    { row: 'Processes' },
    {
      type: 'timeseries',
      title: 'CPU',
      description: 'CPU seconds per second per process.',
      width: 8,
      unit: 'percentunit',
      targets: [
        prom(
          `sum by (job, instance) (rate(process_cpu_seconds_total{${services}}[$__rate_interval]))`,
          '{{job}}',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Resident memory',
      description: 'Resident set size per process.',
      width: 8,
      unit: 'bytes',
      targets: [prom(`process_resident_memory_bytes{${services}}`, '{{job}}')],
    },
    {
      type: 'timeseries',
      title: 'Event loop lag p99',
      description: "Node's event loop delay, 99th percentile, per process.",
      width: 8,
      unit: 's',
      targets: [prom(`nodejs_eventloop_lag_p99_seconds{${services}}`, '{{job}}')],
    },
    {
      type: 'timeseries',
      title: 'Live connections',
      description: 'Open Server-Sent Events connections per core-api instance.',
      width: 8,
      targets: [prom(`sum by (instance) (live_connections)`, '{{instance}}')],
    },
  ],
});
