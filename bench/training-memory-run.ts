/**
 * Wasm memory of one U-Net training step, in its own process:
 *   tsx bench/training-memory-run.ts <inputSize> <baseFilters> <lean|stock>
 * `lean`: as `train` runs it (leanConvGradients + the buffer-sharing wasm
 * Identity). `stock`: tfjs's own ops and Identity kernel. Prints one JSON
 * line: the wasm heap after the forward pass and at the end (wasm memory
 * only grows, so that is the peak), and whether the step completed.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel, leanConvGradients, unet, useBackend, weightedSoftmaxCrossEntropy } from '../src/index.js';
import { stockKernels } from './util.js';

const [size, base] = process.argv.slice(2, 4).map(Number) as [number, number];
const mode = process.argv[4] === 'stock' ? 'stock' : 'lean';
tf.env().set('IS_TEST', false);
const stock = await stockKernels([['Identity', 'wasm']]);
await useBackend('wasm');
if (mode === 'stock') {
  const identity = stock.get('wasm/Identity')!;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel(identity);
}
const spec = unet({ depth: 4, baseFilters: base, dropout: 0, outputActivation: 'linear' });
const model = buildModel(spec, { inputSize: size, seed: 1 });
if (mode === 'lean') leanConvGradients(model);
const heapMiB = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength / 2 ** 20;
const x = tf.randomUniform([1, size, size, 1]);
const out = model.outputs[0]!.shape[1]!;
const labels = tf.randomUniform([1, out, out], 0, 2, 'int32');
const weights = tf.onesLike(labels).toFloat();
let afterForward = 0;
let error: string | undefined;
const start = performance.now();
try {
  const { value, grads } = tf.variableGrads(() => {
    const loss = weightedSoftmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor, weights) as tf.Scalar;
    afterForward = heapMiB();
    return loss;
  });
  tf.dispose([value, ...Object.values(grads)]);
} catch (e) {
  error = String((e as Error).message ?? e).slice(0, 120);
}
console.log(
  JSON.stringify({
    config: `depth 4, base ${base}, input ${size}`,
    mode,
    heapAfterForwardMiB: Math.round(afterForward),
    heapPeakMiB: Math.round(heapMiB()),
    stepSeconds: error === undefined ? (performance.now() - start) / 1000 : null,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    error,
  }),
);
