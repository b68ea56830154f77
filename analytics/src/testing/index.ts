export { openTestStore, uniqueDatabase, type StoreKind, type TestStore } from './test-stores.js';
export { generateStream, type GeneratedMessage, type StreamOptions } from './stream.generator.js';
export { consumeTracked, OffsetTracker, publishAll } from './pipeline.js';
