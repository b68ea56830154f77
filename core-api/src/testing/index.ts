export * from './harness.js';
export * from './client.js';
export * from './processes.js';
export * from './metrics.js';
export * from '../recommendations/planted.fixture.js';
