import { Worker } from 'node:worker_threads';

/**
 * Starts a worker from a module URL that may be TypeScript source. On Node 20 a worker does
 * not get the `--import tsx` hooks of its parent for its entry module (nor does one started
 * under vitest, whose loader lives in the parent), so a `.ts` entry is loaded by a small
 * bootstrap that registers tsx inside the worker first. A `.js` entry starts directly.
 */
export function launchWorker(entry: URL, workerData?: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const bootstrap =
    `import(${JSON.stringify(tsxApi())})` +
    `.then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

function tsxApi(): string {
  try {
    // An absolute URL, so the worker does not depend on the process's working directory.
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return 'tsx/esm/api';
  }
}

/** The sibling module `name` with this module's extension: `.ts` from source, `.js` if built. */
export function siblingModule(name: string, base: string): URL {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}
