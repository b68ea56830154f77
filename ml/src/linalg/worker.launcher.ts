// Kept as a module of its own so tests can replace how ml starts its workers.
export { launchWorker } from '@platform/kit';
