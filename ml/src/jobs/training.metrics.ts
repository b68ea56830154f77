import type { OfflineMetrics } from '@platform/contracts';
import { Counter, Gauge, Histogram, type Registry } from '@platform/kit';

/** The trainer's Prometheus series (ml process). Model quality is exported per role so a
 * dashboard can draw the live model against the candidate and the popularity baseline. */
export function createTrainingMetrics(registry: Registry) {
  const registers = [registry];
  return {
    runs: new Counter({
      name: 'ml_training_runs_total',
      help: 'Training runs by outcome (promoted, rejected, failed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'ml_training_duration_seconds',
      help: 'Wall time of one training run by stage (load, train, content, evaluate, total)',
      labelNames: ['stage'] as const,
      buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
    inProgress: new Gauge({
      name: 'ml_training_in_progress',
      help: '1 while a training run is going on',
      registers,
    }),
    progress: new Gauge({
      name: 'ml_training_progress_ratio',
      help: 'Progress of the current training run, 0..1',
      registers,
    }),
    offlineMetric: new Gauge({
      name: 'ml_model_offline_metric',
      help: 'Offline evaluation of the latest run on the time-based holdout, by role (candidate, live, popularity) and metric (ndcg_at_10, recall_at_10, map_at_10, coverage)',
      labelNames: ['role', 'metric'] as const,
      registers,
    }),
    liveVersion: new Gauge({
      name: 'ml_live_model_version',
      help: 'Version number of the model currently live in the registry',
      registers,
    }),
  };
}
export type TrainingMetrics = ReturnType<typeof createTrainingMetrics>;

/** Sets one role's offline evaluation (candidate, live or popularity) on the gauges. */
export function recordOfflineMetrics(
  metrics: TrainingMetrics,
  role: 'candidate' | 'live' | 'popularity',
  m: OfflineMetrics,
): void {
  metrics.offlineMetric.set({ role, metric: 'ndcg_at_10' }, m.ndcg10);
  metrics.offlineMetric.set({ role, metric: 'recall_at_10' }, m.recall10);
  metrics.offlineMetric.set({ role, metric: 'map_at_10' }, m.map10);
  metrics.offlineMetric.set({ role, metric: 'coverage' }, m.coverage);
}
