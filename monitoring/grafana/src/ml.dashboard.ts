import { clickhouse, dashboard, postgres, prom, promInstant } from './grafana.model.js';

/*
 * Model quality comes from two places: the model registry in PostgreSQL (`ml_models`, one row per
 * training run with its offline metrics as JSON) for the history, and the trainer's gauges in
 * Prometheus for what is live now. Click-through on recommendations comes from interactions with
 * `surface = 'recommendations'`: live from core-api's counters, and per bucket from ClickHouse.
 */

/** Clicks and impressions per surface (and per bucket, `time`) from the raw interactions,
 * distinct ids. */
const ctrBySurface = (perBucket: boolean) => `
    SELECT ${perBucket ? 'toDateTime(intDiv(toUInt32(occurred_at), $__interval_s) * $__interval_s) AS time, ' : ''}surface,
           uniqExactIf(id, type = 'click') AS clicks,
           uniqExactIf(id, type = 'impression') AS impressions
    FROM interactions
    WHERE late = 0 AND surface IN ('recommendations', 'similar', 'trending', 'discover')
      AND type IN ('click', 'impression') AND $__timeFilter(occurred_at)
    GROUP BY ${perBucket ? 'time, ' : ''}surface`;

const metric = (role: string, name: string) => `(metrics->'${role}'->>'${name}')::float8`;

export const mlDashboard = dashboard({
  uid: 'platform-ml',
  title: 'ML',
  description:
    'Are the models good: versions and their offline metrics over time, training runs and durations, what is live, and click-through on recommendations. Data: PostgreSQL (ml_models), Prometheus, ClickHouse.',
  tags: ['platform', 'ml', 'recommendations'],
  from: 'now-30d',
  refresh: '1m',
  panels: [
    { row: 'Live now' },
    {
      type: 'stat',
      title: 'Live model version (registry)',
      description: 'The version the trainer last promoted.',
      width: 6,
      height: 4,
      targets: [promInstant(`max(ml_live_model_version)`)],
    },
    {
      type: 'stat',
      title: 'Serving model version',
      description:
        'The version each core-api instance scores with (should equal the registry once swapped).',
      width: 6,
      height: 4,
      targets: [promInstant(`ml_serving_model_version`, '{{instance}}')],
    },
    {
      type: 'stat',
      title: 'Training',
      description: 'Progress of the training run going on now (0 when idle).',
      width: 6,
      height: 4,
      unit: 'percentunit',
      targets: [promInstant(`max(ml_training_progress_ratio) * max(ml_training_in_progress)`)],
    },
    {
      type: 'stat',
      title: 'Recommendation click-through (live)',
      description: 'Clicks per impression on the recommendations surface, from core-api ingest.',
      width: 6,
      height: 4,
      unit: 'percentunit',
      targets: [
        promInstant(
          `sum(rate(interactions_accepted_total{type="click", surface="recommendations"}[$__range]))
          / sum(rate(interactions_accepted_total{type="impression", surface="recommendations"}[$__range]))`,
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Offline nDCG@10 of the latest run',
      description:
        'The candidate, the model live at the time and the popularity baseline on the same holdout (alerts: LiveModelNdcgDropped, LiveModelBelowPopularity).',
      width: 12,
      targets: [prom(`max by (role) (ml_model_offline_metric{metric="ndcg_at_10"})`, '{{role}}')],
    },
    {
      type: 'timeseries',
      title: 'Recommendations served',
      description:
        'Lists served per second by endpoint and strategy (personalised, or trending for people the model does not know).',
      width: 12,
      stacked: true,
      targets: [
        prom(
          `sum by (endpoint, strategy) (rate(recommendations_served_total[$__rate_interval]))`,
          '{{endpoint}} {{strategy}}',
        ),
      ],
    },

    { row: 'Model history (registry)' },
    {
      type: 'timeseries',
      title: 'Offline metrics per training run',
      description:
        'nDCG@10 and recall@10 of each run: the candidate, the live model and popularity on the same holdout.',
      width: 12,
      targets: [
        postgres(
          `
          SELECT created_at AS time,
                 ${metric('candidate', 'ndcg10')} AS "candidate nDCG@10",
                 ${metric('live', 'ndcg10')} AS "live nDCG@10",
                 ${metric('popularity', 'ndcg10')} AS "popularity nDCG@10",
                 ${metric('candidate', 'recall10')} AS "candidate recall@10"
          FROM ml_models
          WHERE $__timeFilter(created_at) AND metrics IS NOT NULL
          ORDER BY created_at`,
          'time_series',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Training duration per run',
      description: 'Wall time of each training run (registry).',
      width: 12,
      unit: 's',
      targets: [
        postgres(
          `
          SELECT created_at AS time, train_seconds AS "training seconds"
          FROM ml_models
          WHERE $__timeFilter(created_at) AND train_seconds IS NOT NULL
          ORDER BY created_at`,
          'time_series',
        ),
      ],
    },
    {
      type: 'table',
      title: 'Model versions',
      description:
        'Every training run in the range, newest first: what it became, its metrics against the baselines, and why it failed or was rejected.',
      width: 24,
      height: 10,
      targets: [
        postgres(
          `
          SELECT version, status, algorithm,
                 round(${metric('candidate', 'ndcg10')}::numeric, 4) AS ndcg10,
                 round(${metric('live', 'ndcg10')}::numeric, 4) AS live_ndcg10,
                 round(${metric('popularity', 'ndcg10')}::numeric, 4) AS popularity_ndcg10,
                 round(${metric('candidate', 'coverage')}::numeric, 4) AS coverage,
                 users, items, interactions, train_seconds, created_at, promoted_at, reason
          FROM ml_models
          WHERE $__timeFilter(created_at)
          ORDER BY version DESC
          LIMIT 50`,
          'table',
        ),
      ],
    },

    { row: 'Training (trainer process)' },
    {
      type: 'bargauge',
      title: 'Training runs by outcome',
      description:
        'Runs in the range: promoted, rejected (not better than live), failed (alert: RetrainingFailing).',
      width: 8,
      options: { orientation: 'horizontal', displayMode: 'basic' },
      targets: [
        promInstant(`sum by (outcome) (increase(ml_training_runs_total[$__range]))`, '{{outcome}}'),
      ],
    },
    {
      type: 'bargauge',
      title: 'Mean training time by stage',
      description:
        'Average seconds per run spent loading data, training, building content features and evaluating.',
      width: 8,
      unit: 's',
      options: { orientation: 'horizontal', displayMode: 'basic' },
      targets: [
        promInstant(
          `sum by (stage) (increase(ml_training_duration_seconds_sum[$__range]))
          / sum by (stage) (increase(ml_training_duration_seconds_count[$__range]))`,
          '{{stage}}',
        ),
      ],
    },
    {
      type: 'bargauge',
      title: 'Model swaps in core-api',
      description: 'Promoted models each API instance loaded, by outcome.',
      width: 8,
      options: { orientation: 'horizontal', displayMode: 'basic' },
      targets: [
        promInstant(`sum by (outcome) (increase(ml_model_swaps_total[$__range]))`, '{{outcome}}'),
      ],
    },

    { row: 'Click-through by surface (ClickHouse)' },
    {
      type: 'timeseries',
      title: 'Click-through by surface',
      description:
        'Clicks per impression per bucket on recommendations, similar, trending and discover.',
      width: 16,
      unit: 'percentunit',
      targets: [
        clickhouse(
          `
          SELECT time, surface, if(impressions = 0, 0, clicks / impressions) AS ctr
          FROM (${ctrBySurface(true)})
          ORDER BY time, surface`,
          'timeseries',
        ),
      ],
    },
    {
      type: 'table',
      title: 'Click-through by surface (range)',
      description: 'Impressions, clicks and click-through per surface over the whole range.',
      width: 8,
      targets: [
        clickhouse(
          `
          SELECT surface, impressions, clicks, if(impressions = 0, 0, clicks / impressions) AS ctr
          FROM (${ctrBySurface(false)})
          ORDER BY impressions DESC, surface`,
          'table',
        ),
      ],
    },
  ],
});
