/**
 * Registers this project's kernels for a tfjs backend. Idempotent.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterCpu } from './conv-filter-gradient.js';
import { resizeNearestNeighborGradCpu } from './resize-nearest-gradient.js';
import { conv2DBackpropFilterWasmFast, conv2DBackpropInputWasmFast } from './wasm-conv-gradients.js';
import { identitySharedWasm } from './wasm-identity.js';
import { maxPoolGradWasmFast } from './wasm-max-pool-gradient.js';

/** Per backend and kernel: a factory given the stock kernel (if any). */
const KERNELS: Record<string, Record<string, (stock: tf.KernelFunc | undefined) => tf.KernelFunc>> = {
  cpu: {
    Conv2DBackpropFilter: () => conv2DBackpropFilterCpu,
    ResizeNearestNeighborGrad: () => resizeNearestNeighborGradCpu,
  },
  wasm: {
    Conv2DBackpropFilter: () => conv2DBackpropFilterWasmFast,
    Conv2DBackpropInput: (stock) => (stock === undefined ? conv2DBackpropInputMissing : conv2DBackpropInputWasmFast(stock)),
    Identity: identitySharedWasm,
    MaxPoolGrad: maxPoolGradWasmFast,
  },
};

const conv2DBackpropInputMissing: tf.KernelFunc = () => {
  throw new Error('tfjs-unet: the wasm backend has no stock Conv2DBackpropInput to fall back on');
};

const registered = new Set<string>();
const stockKernels = new Map<string, tf.KernelConfig>();

/**
 * The kernel tfjs had before {@link registerKernels} replaced it (for
 * comparisons and benchmarks), or undefined.
 */
export function stockKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  return stockKernels.get(`${backendName}/${kernelName}`);
}

/**
 * Registers the extra kernels for `backendName` (`'cpu'`: a fast
 * `Conv2DBackpropFilter` and a `ResizeNearestNeighborGrad` that is correct
 * for batches; `'wasm'`: the missing `Conv2DBackpropFilter` and a
 * `Conv2DBackpropInput` on XNNPACK kernels, both built from its own kernels,
 * an `Identity` that shares buffers instead of copying them, which halves
 * the memory of the tensors saved for gradients, and a one-pass `MaxPoolGrad`
 * for non-overlapping pools).
 * Other backends get nothing. Safe to call more than once.
 *
 * @returns the names of the kernels registered by this call.
 * @example
 * ```ts
 * registerKernels('wasm');
 * await tf.setBackend('wasm'); // conv training now works
 * ```
 */
export function registerKernels(backendName: string): string[] {
  const kernels = KERNELS[backendName];
  if (kernels === undefined) return [];
  const done: string[] = [];
  for (const [kernelName, factory] of Object.entries(kernels)) {
    const key = `${backendName}/${kernelName}`;
    if (registered.has(key)) continue;
    const stock = tf.getKernel(kernelName, backendName);
    const kernelFunc = factory(stock?.kernelFunc);
    if (stock !== undefined) {
      stockKernels.set(key, stock);
      tf.unregisterKernel(kernelName, backendName);
    }
    tf.registerKernel({ kernelName, backendName, kernelFunc, ...(stock?.setupFunc === undefined ? {} : { setupFunc: stock.setupFunc }) });
    registered.add(key);
    done.push(kernelName);
  }
  return done;
}
