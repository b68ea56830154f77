import type { InteractionMatrix } from '../data/interaction.matrix.js';
import type {
  AlgorithmName,
  ProgressListener,
  Recommendations,
  Recommender,
} from './recommender.port.js';
import { ModelNotFittedError, UnknownUserError } from './recommender.port.js';
import { topK } from './top-k.ranking.js';

/** What every model shares: its id space, the fitted check and top-k over `scoreItems`. */
export abstract class BaseRecommender<Options extends object> implements Recommender<Options> {
  abstract readonly algorithm: AlgorithmName;
  numUsers = 0;
  numItems = 0;
  userIds: readonly string[] = [];
  itemIds: readonly string[] = [];
  protected fitted = false;

  abstract fit(
    matrix: InteractionMatrix,
    options?: Partial<Options>,
    onProgress?: ProgressListener,
  ): Promise<void>;
  abstract scoreItems(userIndex: number): Float32Array;
  abstract serialize(): Buffer;

  recommend(userIndex: number, k: number, exclude?: ArrayLike<number>): Recommendations {
    return topK(this.scoreItems(userIndex), k, exclude);
  }

  protected adoptShape(m: {
    numUsers: number;
    numItems: number;
    userIds: readonly string[];
    itemIds: readonly string[];
  }): void {
    this.numUsers = m.numUsers;
    this.numItems = m.numItems;
    this.userIds = m.userIds;
    this.itemIds = m.itemIds;
  }

  protected checkUser(userIndex: number): void {
    if (!this.fitted) throw new ModelNotFittedError(this.algorithm);
    if (!Number.isInteger(userIndex) || userIndex < 0 || userIndex >= this.numUsers) {
      throw new UnknownUserError(userIndex, this.numUsers);
    }
  }
}
