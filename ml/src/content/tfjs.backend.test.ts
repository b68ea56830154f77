import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { ModuleImporter } from './tfjs.backend.js';
import { loadTensorFlow, TensorFlowUnavailableError } from './tfjs.backend.js';

/** Imports normally, except the named packages, which fail as a missing package does. */
const without =
  (...missing: string[]): ModuleImporter =>
  (specifier) =>
    missing.includes(specifier)
      ? Promise.reject(new Error(`Cannot find package '${specifier}'`))
      : import(specifier);

function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe('loadTensorFlow', () => {
  it('falls back from tfjs-node to the WASM backend where tfjs-node is not installed, and says why', async () => {
    const { tf, backend, fallbacks } = await loadTensorFlow();
    if (installed('@tensorflow/tfjs-node')) {
      expect(backend).toBe('tensorflow');
      expect(fallbacks).toEqual([]);
    } else {
      // Our machines: tfjs-node's install script cannot download libtensorflow.
      expect(backend).toBe('wasm');
      expect(fallbacks).toHaveLength(1);
      expect(fallbacks[0]).toMatch(/^tensorflow: .*@tensorflow\/tfjs-node/);
    }
    expect(tf.getBackend()).toBe(backend);
    const product = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(product.dataSync())).toEqual([11]);
    product.dispose();
  });

  it('falls back to the pure-JS CPU backend when neither tfjs-node nor WASM loads', async () => {
    const { tf, backend, fallbacks } = await loadTensorFlow(
      'auto',
      without('@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm'),
    );
    expect(backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(fallbacks.map((f) => f.split(':')[0])).toEqual(['tensorflow', 'wasm']);
  });

  it('fails with every reason when an explicitly chosen backend cannot start', async () => {
    const attempt = loadTensorFlow('wasm', without('@tensorflow/tfjs-backend-wasm'));
    await expect(attempt).rejects.toBeInstanceOf(TensorFlowUnavailableError);
    await expect(attempt).rejects.toThrow(
      /wasm: Cannot find package '@tensorflow\/tfjs-backend-wasm'/,
    );
  });
});
