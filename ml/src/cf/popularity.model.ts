import type { InteractionMatrix } from '../data/interaction.matrix.js';
import { decodeArtifact, encodeArtifact, requireArray } from './artifact.codec.js';
import { BaseRecommender } from './recommender.base.js';
import type { ProgressListener } from './recommender.port.js';

/** The baseline every model must beat: items ranked by how many users interacted with them. */
export class PopularityRecommender extends BaseRecommender<object> {
  readonly algorithm = 'popularity' as const;
  counts: Float32Array = new Float32Array(0);

  async fit(
    matrix: InteractionMatrix,
    _options: object = {},
    onProgress?: ProgressListener,
  ): Promise<void> {
    const started = performance.now();
    this.adoptShape(matrix);
    const counts = new Float32Array(matrix.numItems);
    for (let i = 0; i < matrix.numItems; i++) {
      counts[i] = matrix.itemIndptr[i + 1]! - matrix.itemIndptr[i]!;
    }
    this.counts = counts;
    this.fitted = true;
    onProgress?.({
      algorithm: 'popularity',
      iteration: 1,
      iterations: 1,
      seconds: (performance.now() - started) / 1000,
    });
  }

  scoreItems(userIndex: number): Float32Array {
    this.checkUser(userIndex);
    return Float32Array.from(this.counts);
  }

  serialize(): Buffer {
    return encodeArtifact(
      {
        algorithm: this.algorithm,
        numUsers: this.numUsers,
        numItems: this.numItems,
        userIds: this.userIds,
        itemIds: this.itemIds,
        params: {},
      },
      { counts: this.counts },
    );
  }

  static deserialize(artifact: Uint8Array): PopularityRecommender {
    const { header, arrays } = decodeArtifact(artifact);
    const model = new PopularityRecommender();
    model.adoptShape(header);
    model.counts = requireArray(arrays, 'counts', Float32Array);
    model.fitted = true;
    return model;
  }
}
