export * from './config.js';
export * from './jobs/training.pipeline.js';
export * from './jobs/training.scheduler.js';
export * from './jobs/training.metrics.js';
export * from './registry/model.registry.js';
export * from './hybrid/serving.model.js';
