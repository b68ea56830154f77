import {
  ArtifactFormatError,
  decodeArtifact,
  encodeArtifact,
  requireArray,
} from '../cf/artifact.codec.js';
import { SeededRandom } from '../data/seeded.random.js';
import type { EventText, FeatureOptions, SparseVector } from './text.features.js';
import { FEATURE_DEFAULTS, TfidfFeatures } from './text.features.js';
import type { TensorFlow, TfBackendName, TfBackendPreference } from './tfjs.backend.js';
import { loadTensorFlow } from './tfjs.backend.js';

/** The CF item factors the content model learns to predict: row i of `factors` is item i. */
export interface ContentTargets {
  readonly itemIds: readonly string[];
  /** Row-major items x k, as `AlsRecommender.itemFactors`. */
  readonly factors: Float32Array;
  readonly k: number;
}

export interface ContentProgress {
  readonly epoch: number;
  readonly epochs: number;
  /** Mean squared error per factor on the training items, this epoch. */
  readonly loss: number;
  /** The same on the held-out items, when there are any. */
  readonly validationLoss?: number;
}

export interface ContentTrainingOptions {
  readonly epochs: number;
  readonly learningRate: number;
  /** Weight of the squared L2 norm of the weights, added to the per-factor MSE. */
  readonly l2: number;
  readonly batchSize: number;
  /** Share of the items with factors held out for early stopping (0 trains on all). */
  readonly validationFraction: number;
  /** Epochs without a better validation loss before training stops. */
  readonly patience: number;
  readonly seed: number;
  readonly features: Partial<FeatureOptions>;
  readonly backend: TfBackendPreference;
  readonly onProgress?: (progress: ContentProgress) => void;
}

/** Chosen on the planted-topic fixture and the 4,000-item benchmark (README.md). */
export const CONTENT_DEFAULTS: ContentTrainingOptions = {
  epochs: 50,
  learningRate: 0.01,
  l2: 1e-5,
  batchSize: 128,
  validationFraction: 0.1,
  patience: 5,
  seed: 1,
  features: {},
  backend: 'auto',
};

/** How a model was trained, kept in its artifact. */
export interface ContentTrainingInfo {
  readonly backend: TfBackendName;
  /** Why faster backends were passed over (e.g. tfjs-node not installed). */
  readonly fallbacks: readonly string[];
  readonly trainedItems: number;
  readonly validationItems: number;
  /** Epochs run, and the one whose weights were kept. */
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly validationLoss: number | null;
  /** Wall time of the whole call, and of one epoch (batches and validation) on average. */
  readonly seconds: number;
  readonly secondsPerEpoch: number;
}

export class ContentTrainingError extends RangeError {
  readonly code = 'Validation';
  constructor(detail: string) {
    super(`content model: ${detail}`);
    this.name = 'ContentTrainingError';
  }
}

const ALGORITHM = 'content';

/**
 * Maps an event's hashed TF-IDF row to a vector in the CF item-factor space: a linear map
 * (weights: buckets x k, row-major) plus a bias. Embedding is a sparse x dense product over
 * plain typed arrays, so serving needs no TensorFlow.js.
 */
export class ContentModel {
  constructor(
    readonly features: TfidfFeatures,
    readonly k: number,
    readonly weights: Float32Array,
    readonly bias: Float32Array,
    readonly info: ContentTrainingInfo,
  ) {
    if (weights.length !== features.dimension * k || bias.length !== k) {
      throw new ContentTrainingError(
        `weights do not match ${features.dimension} buckets x ${k} factors`,
      );
    }
  }

  /** The backend that trained the model. */
  get backend(): TfBackendName {
    return this.info.backend;
  }

  /** A k-vector in the item-factor space; an event with no known term gets the bias. */
  embed(event: EventText): Float32Array {
    const out = new Float32Array(this.k);
    this.embedInto(this.features.transform(event), out, 0);
    return out;
  }

  /** Row-major events x k, like the CF item factors. */
  embedMany(events: readonly EventText[]): Float32Array {
    const out = new Float32Array(events.length * this.k);
    events.forEach((event, n) => this.embedInto(this.features.transform(event), out, n * this.k));
    return out;
  }

  /** @internal also the trainer's validation pass, so it measures exactly what serving does. */
  embedInto(row: SparseVector, out: Float32Array, offset: number): void {
    embedRow(row, this.weights, this.bias, this.k, out, offset);
  }

  serialize(): Uint8Array {
    return encodeArtifact(
      {
        algorithm: ALGORITHM,
        numUsers: 0,
        numItems: 0,
        userIds: [],
        itemIds: [],
        params: { k: this.k, features: this.features.options, info: this.info },
      },
      { idf: this.features.idf, weights: this.weights, bias: this.bias },
    );
  }
}

/** A model from `ContentModel.serialize()`; embeds bit for bit as the trained one did. */
export function deserializeContentModel(bytes: Uint8Array): ContentModel {
  const { header, arrays } = decodeArtifact(bytes);
  if (header.algorithm !== ALGORITHM) {
    throw new ArtifactFormatError(`expected a content model, got ${header.algorithm}`);
  }
  const params = header.params as {
    k: number;
    features: FeatureOptions;
    info: ContentTrainingInfo;
  };
  const features = new TfidfFeatures(
    { ...FEATURE_DEFAULTS, ...params.features },
    requireArray(arrays, 'idf', Float32Array),
  );
  return new ContentModel(
    features,
    params.k,
    requireArray(arrays, 'weights', Float32Array),
    requireArray(arrays, 'bias', Float32Array),
    params.info,
  );
}

function embedRow(
  row: SparseVector,
  weights: Float32Array,
  bias: Float32Array,
  k: number,
  out: Float32Array,
  offset: number,
): void {
  out.set(bias, offset);
  for (let n = 0; n < row.indices.length; n++) {
    const v = row.values[n]!;
    const w = row.indices[n]! * k;
    for (let a = 0; a < k; a++) out[offset + a]! += v * weights[w + a]!;
  }
}

/** Squared error summed over the rows' factors, embedding as serving does. */
function sumSquaredError(
  rows: readonly SparseVector[],
  targets: Float32Array,
  weights: Float32Array,
  bias: Float32Array,
  k: number,
): number {
  const out = new Float32Array(k);
  let sum = 0;
  rows.forEach((row, n) => {
    embedRow(row, weights, bias, k, out, 0);
    for (let a = 0; a < k; a++) sum += (out[a]! - targets[n * k + a]!) ** 2;
  });
  return sum;
}

/** Events that have a factor row, in a seeded random order, with their targets gathered. */
function trainingRows(
  events: readonly EventText[],
  targets: ContentTargets,
  features: TfidfFeatures,
  rng: SeededRandom,
): { rows: SparseVector[]; y: Float32Array } {
  const { itemIds, factors, k } = targets;
  if (!Number.isInteger(k) || k < 1 || factors.length !== itemIds.length * k) {
    throw new ContentTrainingError(
      `factors hold ${factors.length} values, not ${itemIds.length} x ${k}`,
    );
  }
  const rowOf = new Map<string, number>();
  itemIds.forEach((id, i) => rowOf.set(id, i));
  const matched: [EventText, number][] = [];
  for (const event of events) {
    const i = rowOf.get(event.id);
    if (i !== undefined) matched.push([event, i]);
  }
  if (matched.length < 2) {
    throw new ContentTrainingError(`only ${matched.length} events have item factors; 2 are needed`);
  }
  const order = Int32Array.from(matched, (_, n) => n);
  rng.shuffle(order);
  const rows: SparseVector[] = [];
  const y = new Float32Array(order.length * k);
  order.forEach((m, n) => {
    const [event, i] = matched[m]!;
    rows.push(features.transform(event));
    y.set(factors.subarray(i * k, i * k + k), n * k);
  });
  return { rows, y };
}

/**
 * Scatters a batch of sparse rows into the dense x (batch x D) and its transpose (D x batch).
 * Both are built here because tfjs's WASM backend multiplies a pre-transposed matrix about 35
 * times faster than it does matMul(x, g, transposeA) (6 ms against 213 ms for 256 x 4096 by
 * 4096 x 64), and that transposed product is the weight gradient.
 */
class DenseBatch {
  readonly x: Float32Array;
  readonly xt: Float32Array;
  readonly y: Float32Array;

  constructor(
    readonly capacity: number,
    readonly dimension: number,
    readonly k: number,
  ) {
    this.x = new Float32Array(capacity * dimension);
    this.xt = new Float32Array(capacity * dimension);
    this.y = new Float32Array(capacity * k);
  }

  /** Fills the first `order.length` rows; returns the batch size. */
  fill(rows: readonly SparseVector[], targets: Float32Array, order: Int32Array): number {
    const b = order.length;
    const { dimension: d, k } = this;
    this.x.fill(0, 0, b * d);
    this.xt.fill(0, 0, b * d);
    for (let r = 0; r < b; r++) {
      const n = order[r]!;
      const { indices, values } = rows[n]!;
      for (let e = 0; e < indices.length; e++) {
        this.x[r * d + indices[e]!] = values[e]!;
        this.xt[indices[e]! * b + r] = values[e]!;
      }
      this.y.set(targets.subarray(n * k, n * k + k), r * k);
    }
    return b;
  }
}

/**
 * Trains the linear map from hashed TF-IDF rows to the CF item factors of the events that have
 * them: per-factor MSE plus L2 on the weights, Adam on dense mini-batches, early stopping on a
 * seeded held-out share of the items (the best epoch's weights are kept). IDF is learnt from
 * all `events`, those without factors (new events) included.
 *
 * The gradient is written out rather than left to tf's autodiff (see DenseBatch): for
 * L = mean((xW + b - y)^2) + l2 |W|^2, dL/dW = x^T g + 2 l2 W and dL/db = sum_rows g with
 * g = 2 (xW + b - y) / (batch k).
 */
export async function trainContentModel(
  events: readonly EventText[],
  targets: ContentTargets,
  options: Partial<ContentTrainingOptions> = {},
): Promise<ContentModel> {
  const started = performance.now();
  const o = { ...CONTENT_DEFAULTS, ...options };
  const { k } = targets;
  const features = TfidfFeatures.fit(events, o.features);
  const d = features.dimension;
  const rng = new SeededRandom(o.seed);
  const { rows, y } = trainingRows(events, targets, features, rng);

  // At least one item on each side when validating at all.
  const held =
    o.validationFraction > 0
      ? Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * o.validationFraction)))
      : 0;
  const trainCount = rows.length - held;
  const validRows = rows.slice(trainCount);
  const trainY = y.subarray(0, trainCount * k);
  const validY = y.subarray(trainCount * k);

  // The bias starts at the mean target, so the weights only learn what the text adds to it.
  const meanTarget = new Float32Array(k);
  for (let n = 0; n < trainCount; n++)
    for (let a = 0; a < k; a++) meanTarget[a]! += trainY[n * k + a]! / trainCount;

  const { tf, backend, fallbacks } = await loadTensorFlow(o.backend);
  // Unnamed: tfjs names variables uniquely, so two trainings may run in one process. Inside
  // tidy, so that the initial values are released (a variable outlives tidy, they do not).
  const W = tf.tidy(() => tf.variable(tf.zeros([d, k])));
  const bias = tf.tidy(() => tf.variable(tf.tensor1d(meanTarget)));
  const optimizer = tf.train.adam(o.learningRate);
  const batch = new DenseBatch(Math.min(o.batchSize, trainCount), d, k);
  const order = Int32Array.from({ length: trainCount }, (_, n) => n);

  let best = {
    loss: Infinity,
    epoch: 0,
    weights: new Float32Array(d * k),
    bias: meanTarget.slice(),
  };
  let epoch = 0;
  const loopStarted = performance.now();
  try {
    for (epoch = 1; epoch <= o.epochs; epoch++) {
      rng.shuffle(order);
      let sse = 0;
      for (let start = 0; start < trainCount; start += batch.capacity) {
        const b = batch.fill(rows, trainY, order.subarray(start, start + batch.capacity));
        sse += step(tf, { W, bias, optimizer, batch, b, l2: o.l2 });
      }
      const loss = sse / (trainCount * k);
      // Copies: a backend may hand out its own buffer.
      const weights = Float32Array.from(W.dataSync());
      const biasNow = Float32Array.from(bias.dataSync());
      const validationLoss =
        held > 0 ? sumSquaredError(validRows, validY, weights, biasNow, k) / (held * k) : undefined;
      o.onProgress?.({
        epoch,
        epochs: o.epochs,
        loss,
        ...(validationLoss === undefined ? {} : { validationLoss }),
      });
      const score = validationLoss ?? loss;
      if (score < best.loss) best = { loss: score, epoch, weights, bias: biasNow };
      else if (held > 0 && epoch - best.epoch >= o.patience) break;
    }
  } finally {
    W.dispose();
    bias.dispose();
    optimizer.dispose();
  }
  const epochs = Math.min(epoch, o.epochs);
  return new ContentModel(features, k, best.weights, best.bias, {
    backend,
    fallbacks,
    trainedItems: trainCount,
    validationItems: held,
    epochs,
    bestEpoch: best.epoch,
    validationLoss: held > 0 ? best.loss : null,
    seconds: (performance.now() - started) / 1000,
    secondsPerEpoch: (performance.now() - loopStarted) / 1000 / Math.max(1, epochs),
  });
}

/** One Adam step on the first `b` rows of the batch; returns the batch's summed squared error. */
function step(
  tf: TensorFlow,
  s: {
    W: ReturnType<TensorFlow['variable']>;
    bias: ReturnType<TensorFlow['variable']>;
    optimizer: ReturnType<TensorFlow['train']['adam']>;
    batch: DenseBatch;
    b: number;
    l2: number;
  },
): number {
  const { W, bias, optimizer, batch, b, l2 } = s;
  const { dimension: d, k } = batch;
  return tf.tidy(() => {
    const x = tf.tensor2d(batch.x.subarray(0, b * d), [b, d]);
    const xt = tf.tensor2d(batch.xt.subarray(0, b * d), [d, b]);
    const y = tf.tensor2d(batch.y.subarray(0, b * k), [b, k]);
    const residual = tf.sub(tf.add(tf.matMul(x, W), bias), y);
    const g = tf.mul(residual, 2 / (b * k));
    const dW = tf.add(tf.matMul(xt, g), tf.mul(W, 2 * l2));
    optimizer.applyGradients([
      { name: W.name, tensor: dW },
      { name: bias.name, tensor: tf.sum(g, 0) },
    ]);
    return tf.sum(tf.square(residual)).dataSync()[0]!;
  });
}
