/** What `bench/ml.bench.ts` drives directly: the algorithms and the model's building blocks. */
export { AlsRecommender } from './cf/als.model.js';
export { generatePreset } from './data/synthetic.generator.js';
export { toMatrix } from './data/interaction.matrix.js';
export { trainCentroids } from './hybrid/ivf.index.js';
export { encodeServingModel } from './hybrid/serving.model.js';
export { ModelRegistry } from './registry/model.registry.js';
export { DEFAULT_CANDIDATE_SEARCH } from './hybrid/candidate.index.js';
