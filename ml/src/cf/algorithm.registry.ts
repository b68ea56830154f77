import { AlsRecommender } from './als.model.js';
import { ArtifactFormatError, readArtifactHeader } from './artifact.codec.js';
import { BprRecommender } from './bpr.model.js';
import { EaseRecommender } from './ease.model.js';
import { PopularityRecommender } from './popularity.model.js';
import type { AlgorithmName, Recommender } from './recommender.port.js';
import { ALGORITHM_NAMES } from './recommender.port.js';

export function isAlgorithmName(name: string): name is AlgorithmName {
  return (ALGORITHM_NAMES as readonly string[]).includes(name);
}

/** An untrained model of the named algorithm. */
export function createRecommender(name: AlgorithmName): Recommender {
  switch (name) {
    case 'als':
      return new AlsRecommender();
    case 'ease':
      return new EaseRecommender();
    case 'bpr':
      return new BprRecommender();
    case 'popularity':
      return new PopularityRecommender();
  }
}

/** A trained model from its artifact, whichever algorithm wrote it. */
export function loadRecommender(artifact: Uint8Array): Recommender {
  const { algorithm } = readArtifactHeader(artifact);
  switch (algorithm) {
    case 'als':
      return AlsRecommender.deserialize(artifact);
    case 'ease':
      return EaseRecommender.deserialize(artifact);
    case 'bpr':
      return BprRecommender.deserialize(artifact);
    case 'popularity':
      return PopularityRecommender.deserialize(artifact);
    default:
      throw new ArtifactFormatError(`unknown algorithm ${algorithm}`);
  }
}
