import { decodeArtifact, encodeArtifact, requireArray } from '../cf/artifact.codec.js';
import { choleskyInPlace, choleskySolve } from '../linalg/cholesky.linalg.js';
import { denseGram } from '../linalg/gram.linalg.js';

import { deserializeContentModel } from '../content/content.model.js';
import type { EventText } from '../content/text.features.js';

export type { EventText };

/** Maps an event's text into the item-factor space (see ml/src/content). */
export interface ContentEmbedder {
  embed(event: EventText): Float32Array;
  serialize(): Uint8Array;
}
export type ContentDecoder = (bytes: Uint8Array) => ContentEmbedder;

export interface ServingModelParts {
  readonly k: number;
  readonly regularization: number;
  readonly alpha: number;
  readonly userIds: readonly string[];
  readonly userFactors: Float32Array;
  readonly itemIds: readonly string[];
  readonly itemFactors: Float32Array;
  /** Inverted-list centroids over the item vectors (lists x k), or null for exact search. */
  readonly centroids: Float32Array | null;
  readonly content: ContentEmbedder | null;
  readonly trainedAt: string;
}

export const SERVING_ALGORITHM = 'hybrid-als';

/** One artifact (the registry's bytea) holding everything a core-api instance serves from. */
export function encodeServingModel(parts: ServingModelParts): Buffer {
  const arrays: Record<string, Float32Array | Uint8Array> = {
    userFactors: parts.userFactors,
    itemFactors: parts.itemFactors,
  };
  if (parts.centroids) arrays.centroids = parts.centroids;
  if (parts.content) arrays.content = parts.content.serialize();
  return encodeArtifact(
    {
      algorithm: SERVING_ALGORITHM,
      numUsers: parts.userIds.length,
      numItems: parts.itemIds.length,
      userIds: parts.userIds,
      itemIds: parts.itemIds,
      params: {
        k: parts.k,
        regularization: parts.regularization,
        alpha: parts.alpha,
        trainedAt: parts.trainedAt,
      },
    },
    arrays,
  );
}

export function decodeServingModel(
  bytes: Uint8Array,
  version: number,
  decodeContent: ContentDecoder = deserializeContentModel,
): ServingModel {
  const { header, arrays } = decodeArtifact(bytes);
  const params = header.params as {
    k: number;
    regularization: number;
    alpha: number;
    trainedAt: string;
  };
  const centroids = arrays.get('centroids');
  const content = arrays.get('content');
  return new ServingModel(version, {
    k: params.k,
    regularization: params.regularization,
    alpha: params.alpha,
    trainedAt: params.trainedAt,
    userIds: header.userIds,
    itemIds: header.itemIds,
    userFactors: requireArray(arrays, 'userFactors', Float32Array),
    itemFactors: requireArray(arrays, 'itemFactors', Float32Array),
    centroids: centroids instanceof Float32Array ? centroids : null,
    content: content instanceof Uint8Array && decodeContent ? decodeContent(content) : null,
  });
}

/**
 * A trained model as served: user and item factors from ALS, the content embedder for events
 * the factors do not know, and fold-in for people who registered after training.
 */
export class ServingModel {
  readonly k: number;
  private readonly users = new Map<string, number>();
  private readonly items = new Map<string, number>();
  /** YᵀY, for folding in people the model has not seen (one small solve per request). */
  private readonly gram: Float64Array;

  constructor(
    readonly version: number,
    readonly parts: ServingModelParts,
  ) {
    this.k = parts.k;
    parts.userIds.forEach((id, i) => this.users.set(id, i));
    parts.itemIds.forEach((id, i) => this.items.set(id, i));
    this.gram = denseGram(
      parts.itemFactors,
      parts.itemIds.length,
      parts.k,
      new Float64Array(parts.k * parts.k),
    );
  }

  get numUsers(): number {
    return this.users.size;
  }

  get numItems(): number {
    return this.items.size;
  }

  get centroids(): Float32Array | null {
    return this.parts.centroids;
  }

  knowsUser(userId: string): boolean {
    return this.users.has(userId);
  }

  /** The item's collaborative factors, if it had interactions at training time. */
  collaborativeVector(eventId: string): Float32Array | undefined {
    const i = this.items.get(eventId);
    const k = this.k;
    return i === undefined ? undefined : this.parts.itemFactors.subarray(i * k, i * k + k);
  }

  /** The item's collaborative factors, or its content embedding when nobody interacted with it
   * at training time; null when neither exists. */
  itemVector(
    event: EventText,
  ): { vector: Float32Array; source: 'collaborative' | 'content' } | null {
    const i = this.items.get(event.id);
    const k = this.k;
    if (i !== undefined) {
      return { vector: this.parts.itemFactors.subarray(i * k, i * k + k), source: 'collaborative' };
    }
    if (!this.parts.content) return null;
    return { vector: this.parts.content.embed(event), source: 'content' };
  }

  /**
   * The person's vector: their trained factors, or, for someone trained without (new since the
   * last run), the implicit-ALS least-squares fold-in of their history's item vectors:
   * x = (YᵀY + α·Σ yᵢyᵢᵀ + λI)⁻¹ · (1+α)·Σ yᵢ, exactly the user half-step of training.
   */
  userVector(userId: string | null, history: readonly Float32Array[]): Float32Array | null {
    const k = this.k;
    const u = userId === null ? undefined : this.users.get(userId);
    if (u !== undefined) return this.parts.userFactors.subarray(u * k, u * k + k);
    if (history.length === 0) return null;
    const a = Float64Array.from(this.gram);
    const b = new Float64Array(k);
    const { alpha, regularization } = this.parts;
    for (let d = 0; d < k; d++) a[d * k + d]! += regularization;
    for (const y of history) {
      for (let p = 0; p < k; p++) {
        b[p]! += (1 + alpha) * y[p]!;
        for (let q = 0; q <= p; q++) a[p * k + q]! += alpha * y[p]! * y[q]!;
      }
    }
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) a[p * k + q] = a[q * k + p]!;
    choleskyInPlace(a, k);
    return Float32Array.from(choleskySolve(a, k, b));
  }
}
