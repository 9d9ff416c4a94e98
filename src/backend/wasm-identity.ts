/**
 * `Identity` for the tfjs `wasm` backend without a copy.
 *
 * tfjs saves every tensor a gradient needs through `Identity` (engine
 * `clone`). The stock wasm kernel copies the buffer, so during training each
 * saved activation exists twice in the 4 GiB wasm heap. The cpu and webgl
 * backends share the buffer with a reference count instead; the wasm backend
 * keeps reference counts too (its `Reshape` shares buffers the same way) and
 * its kernels never write into their inputs, so sharing is safe.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './kernel-types.js';

/** Shares x's buffer (reference count + 1) instead of copying it; strings fall back to the stock kernel. */
export function identitySharedWasm(stock: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') {
      if (stock === undefined) throw new Error('tfjs-unet: the wasm backend has no stock Identity kernel for strings');
      return stock(args);
    }
    (args.backend as unknown as WasmBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
