/**
 * Content embeddings: a vector in the CF item-factor space for any event, from its text.
 * Training (`trainContentModel`) loads TensorFlow.js on first use; serving needs only
 * `deserializeContentModel` and `ContentModel.embed`, which never load it.
 */
export type { EventText, FeatureOptions, SparseVector } from './text.features.js';
export { FEATURE_DEFAULTS, FeatureOptionsError, TfidfFeatures, tokenize } from './text.features.js';
export type {
  ContentProgress,
  ContentTargets,
  ContentTrainingInfo,
  ContentTrainingOptions,
} from './content.model.js';
export {
  CONTENT_DEFAULTS,
  ContentModel,
  ContentTrainingError,
  deserializeContentModel,
  trainContentModel,
} from './content.model.js';
export type { TfBackendName, TfBackendPreference } from './tfjs.backend.js';
export { TensorFlowUnavailableError } from './tfjs.backend.js';
