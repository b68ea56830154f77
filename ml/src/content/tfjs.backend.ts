import type * as Tf from '@tensorflow/tfjs';

/** The TensorFlow.js API, whichever package provided it. */
export type TensorFlow = typeof Tf;

/** `tensorflow` is libtensorflow through @tensorflow/tfjs-node; `wasm` XNNPACK with SIMD. */
export const TF_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type TfBackendName = (typeof TF_BACKENDS)[number];
export type TfBackendPreference = 'auto' | TfBackendName;

export interface LoadedTensorFlow {
  readonly tf: TensorFlow;
  readonly backend: TfBackendName;
  /** Why each faster backend tried before this one could not be used, in order. */
  readonly fallbacks: readonly string[];
}

/** `import()` by default; a test passes one that fails on purpose. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

export class TensorFlowUnavailableError extends Error {
  readonly code = 'TensorFlowUnavailable';
  constructor(reasons: readonly string[]) {
    super(`no TensorFlow.js backend could start: ${reasons.join('; ')}`);
    this.name = 'TensorFlowUnavailableError';
  }
}

const importModule: ModuleImporter = (specifier) => import(specifier);

/** A CommonJS package imported from ESM puts its exports on `default`. */
function namespaceOf(mod: unknown): TensorFlow {
  const m = mod as { default?: { setBackend?: unknown } };
  return (typeof m.default?.setBackend === 'function' ? m.default : mod) as TensorFlow;
}

async function start(name: TfBackendName, load: ModuleImporter): Promise<TensorFlow> {
  let tf: TensorFlow;
  if (name === 'tensorflow') {
    // tfjs-node re-exports the whole tfjs API; using its copy avoids two tfjs-core instances.
    tf = namespaceOf(await load('@tensorflow/tfjs-node'));
  } else {
    tf = namespaceOf(await load('@tensorflow/tfjs'));
    if (name === 'wasm') await load('@tensorflow/tfjs-backend-wasm');
  }
  // setBackend resolves to false (after logging) when the backend registered but failed to init.
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
  return tf;
}

/**
 * Loads TensorFlow.js lazily, so that code which only embeds (core-api) never pulls it in.
 * `auto` takes the fastest backend that starts: @tensorflow/tfjs-node when it is installed (it
 * is not a dependency: its install script downloads libtensorflow, which our machines cannot),
 * then the WASM backend, then tfjs's pure-JS CPU backend. An explicit preference is that
 * backend or an error.
 */
export async function loadTensorFlow(
  preference: TfBackendPreference = 'auto',
  load: ModuleImporter = importModule,
): Promise<LoadedTensorFlow> {
  const candidates = preference === 'auto' ? TF_BACKENDS : [preference];
  const fallbacks: string[] = [];
  for (const backend of candidates) {
    try {
      return { tf: await start(backend, load), backend, fallbacks };
    } catch (err) {
      fallbacks.push(
        `${backend}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      );
    }
  }
  throw new TensorFlowUnavailableError(fallbacks);
}
