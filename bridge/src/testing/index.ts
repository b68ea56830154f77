export * from './bridge.process.js';
export * from './collector.js';
