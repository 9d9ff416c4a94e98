/**
 * Overlap-tile prediction of an image much larger than a tile: every tile
 * has one shape, borders are mirror-extrapolated, and for a valid-padding
 * network the stitched result equals one untiled prediction.
 *
 *   npx tsx examples/predict-large-image.ts [--size 1000x700] [--model DIR] [--tta]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { buildModel, loadModel, margin, outputSize, predictTiled, syntheticCells, unet, useBackend } from 'tfjs-unet/node';

const { values } = parseArgs({
  options: { size: { type: 'string', default: '1000x700' }, model: { type: 'string' }, tta: { type: 'boolean', default: false }, backend: { type: 'string', default: 'wasm' } },
});
await useBackend(values.backend as 'wasm');
const [width, height] = values.size.split('x').map(Number) as [number, number];

const { model, spec } =
  values.model === undefined
    ? (() => {
        const s = unet({ depth: 3, baseFilters: 8 });
        return { model: buildModel(s, { inputSize: 188, seed: 1 }), spec: s };
      })()
    : await loadModel(values.model);

// A large synthetic image: tile the 128 px synthetic pattern.
const tile = syntheticCells(128, 7).image;
const data = new Float32Array(width * height);
for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = tile.data[(y % 128) * 128 + (x % 128)]!;

const inputSize = 188;
const started = performance.now();
const { probabilities, labels } = await predictTiled(model, { data, width, height }, { spec, inputSize, batchSize: 4, tta: values.tta });
const seconds = (performance.now() - started) / 1000;
console.log(
  `${width}x${height} image, tiles ${inputSize} -> ${outputSize(spec, inputSize)} (margin ${margin(spec)}), ` +
    `${seconds.toFixed(1)} s, ${((width * height) / 1e6 / seconds).toFixed(2)} MP/s on ${tf.getBackend()}; ` +
    `output ${probabilities.shape.join('x')}, labels ${labels.shape.join('x')}`,
);
tf.dispose([probabilities, labels]);
