export * from './names.js';
export * from './envelope.js';
export * from './domain.js';
export * from './interactions.js';
export * from './api.js';
export * from './search.js';
export * from './analytics.js';
export * from './recommendations.js';
