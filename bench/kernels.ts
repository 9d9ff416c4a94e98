/**
 * Kernel benchmark: this library's gradient kernels against the stock tfjs
 * ones they replace (median of 3 after a warm-up).
 *
 *   npx tsx bench/kernels.ts
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/index.js';
import { median, stockKernels } from './util.js';

tf.env().set('IS_TEST', false);

function time(run: () => tf.TensorInfo, runs = 3): number {
  const once = () => {
    const start = performance.now();
    const info = run();
    const t = tf.engine().makeTensorFromTensorInfo(info);
    t.dataSync();
    t.dispose();
    return (performance.now() - start) / 1000;
  };
  once();
  return median(Array.from({ length: runs }, once));
}

const rows: Record<string, string | number>[] = [];
const CASES = [
  ['cpu', [1, 62, 62, 16], 'Conv2DBackpropFilter'],
  ['wasm', [1, 250, 250, 32], 'Conv2DBackpropFilter'],
  ['wasm', [1, 250, 250, 32], 'Conv2DBackpropInput'],
  ['wasm', [1, 10, 10, 512], 'Conv2DBackpropFilter'],
  ['wasm', [1, 10, 10, 512], 'Conv2DBackpropInput'],
] as const;
const stockOf = await stockKernels(CASES.map(([backend, , kernel]) => [kernel, backend] as const));
for (const [backend, shape, kernel] of CASES) {
  await useBackend(backend);
  const [n, h, w, c] = shape;
  const x = tf.randomUniform([n, h, w, c]);
  const filter = tf.randomUniform([3, 3, c, c]);
  const dy = tf.randomUniform([n, h - 2, w - 2, c]);
  const gflop = (2 * (h - 2) * (w - 2) * 9 * c * c * n) / 1e9;
  const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined } as const;
  const inputs: tf.NamedTensorMap = kernel === 'Conv2DBackpropFilter' ? { x, dy } : { dy, filter };
  const kernelAttrs = kernel === 'Conv2DBackpropFilter' ? { ...attrs, filterShape: [3, 3, c, c] } : { ...attrs, inputShape: [n, h, w, c] };
  const ours = time(() => tf.engine().runKernel(kernel, inputs, kernelAttrs as never) as unknown as tf.TensorInfo);
  const stock = stockOf.get(`${backend}/${kernel}`);
  const theirs =
    stock === undefined
      ? Number.NaN
      : time(() => stock.kernelFunc({ inputs, backend: tf.backend(), attrs: kernelAttrs as never }) as tf.TensorInfo, backend === 'cpu' ? 1 : 3);
  rows.push({
    backend,
    kernel,
    'layer (3x3, valid)': `${h}x${w}x${c} -> ${c}`,
    GFLOP: +gflop.toFixed(3),
    'stock s': Number.isNaN(theirs) ? 'missing' : +theirs.toFixed(3),
    'stock GFLOP/s': Number.isNaN(theirs) ? '-' : +(gflop / theirs).toFixed(2),
    'tfjs-unet s': +ours.toFixed(3),
    'tfjs-unet GFLOP/s': +(gflop / ours).toFixed(2),
  });
  tf.dispose([x, filter, dy]);
}
console.table(rows);
