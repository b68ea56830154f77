export * from './config.js';
export * from './jobs/training.pipeline.js';
export * from './jobs/training.scheduler.js';
export * from './jobs/training.metrics.js';
export * from './registry/model.registry.js';
export {
  decodeServingModel,
  encodeServingModel,
  ServingModel,
  SERVING_ALGORITHM,
  type ContentDecoder,
  type ContentEmbedder,
  type ServingModelParts,
} from './hybrid/serving.model.js';
export * from './content/index.js';
