export * from './config.js';
export * from './content/index.js';
