/** What core-api imports to serve recommendations: no training code, no TensorFlow.js. */
export * from './candidate.index.js';
export * from './hybrid.ranker.js';
export * from './ranker.thread.js';
export * from './serving.model.js';
export * from './trend.order.js';
export { topK } from '../cf/top-k.ranking.js';
export { ModelRegistry, type LiveModel, type RunMetrics } from '../registry/model.registry.js';
export {
  QueueTrainingTrigger,
  bullConnection,
  InProcessTrainingScheduler,
  type TrainingTrigger,
} from '../jobs/training.scheduler.js';
