import { SeededRandom } from '../data/seeded.random.js';
import type { ContentTrainingOptions } from './content.model.js';
import { trainContentModel } from './content.model.js';
import { topicEvents } from './content.fixture.js';
import type { TfBackendName } from './tfjs.backend.js';

export interface ContentBenchmarkOptions {
  readonly items: number;
  readonly factors: number;
  readonly topics: number;
  readonly seed: number;
  /** Passed to the trainer (backend, features.bits, epochs...). */
  readonly training: Partial<ContentTrainingOptions>;
}

export interface ContentBenchmarkResult {
  readonly items: number;
  readonly factors: number;
  readonly buckets: number;
  readonly backend: TfBackendName;
  readonly fallbacks: readonly string[];
  /** Wall time of trainContentModel alone (features, backend start, training). */
  readonly seconds: number;
  readonly epochs: number;
  readonly secondsPerEpoch: number;
  readonly validationLoss: number | null;
  /** Validation MSE of predicting every item as the mean factor row, for scale. */
  readonly baselineLoss: number;
  /** Embedding time per event at serving (sparse x dense, no tfjs). */
  readonly embedMicroseconds: number;
}

/**
 * Times content training on planted-topic events with factors drawn around one centroid per
 * topic (4,000 items x 64 factors by default), for `bench/ml.bench.ts`.
 */
export async function benchmarkContentTraining(
  options: Partial<ContentBenchmarkOptions> = {},
): Promise<ContentBenchmarkResult> {
  const { items = 4000, factors: k = 64, topics = 20, seed = 1, training = {} } = options;
  const rng = new SeededRandom(seed);
  const itemTopic = Int32Array.from({ length: items }, () => rng.nextInt(topics));
  const centroids = Float32Array.from({ length: topics * k }, () => 0.3 * rng.normal());
  const factors = new Float32Array(items * k);
  for (let i = 0; i < items; i++) {
    for (let a = 0; a < k; a++)
      factors[i * k + a] = centroids[itemTopic[i]! * k + a]! + 0.3 * rng.normal();
  }
  const itemIds = Array.from({ length: items }, (_, i) => `e${i + 1}`);
  const events = topicEvents(itemIds, itemTopic, seed);

  const started = performance.now();
  const model = await trainContentModel(events, { itemIds, factors, k }, { seed, ...training });
  const seconds = (performance.now() - started) / 1000;

  const embedStarted = performance.now();
  model.embedMany(events);
  const embedMicroseconds = ((performance.now() - embedStarted) * 1000) / items;
  // Per-factor variance around the mean row: what a model that ignored the text would score.
  const mean = new Float64Array(k);
  for (let i = 0; i < items; i++)
    for (let a = 0; a < k; a++) mean[a]! += factors[i * k + a]! / items;
  let baseline = 0;
  for (let i = 0; i < items; i++)
    for (let a = 0; a < k; a++) baseline += (factors[i * k + a]! - mean[a]!) ** 2;

  return {
    items,
    factors: k,
    buckets: model.features.dimension,
    backend: model.backend,
    fallbacks: model.info.fallbacks,
    seconds,
    epochs: model.info.epochs,
    secondsPerEpoch: model.info.secondsPerEpoch,
    validationLoss: model.info.validationLoss,
    baselineLoss: baseline / (items * k),
    embedMicroseconds,
  };
}
