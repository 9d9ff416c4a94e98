/**
 * tfjs-unet: the U-Net of Ronneberger et al. (2015) for TensorFlow.js.
 *
 * - `src/core`: the ground floor (errors, image arrays, the seeded random generator).
 * - `src/spec`: a typed, frozen, JSON-serialisable layer graph (`unet()`, blocks, presets).
 * - `src/geometry`: tile sizes derived from the graph (`outputSize`, `validInputSizes`, `margin`, ...).
 * - `src/compile`: the graph compiled to a `tf.LayersModel` (`buildModel`, `withInputSize`).
 * - `src/onnx`: the compiled model exported to ONNX (`toOnnx`), ONNX Runtime sessions as tile predictors,
 *   and the training step compiled into one ONNX graph with its derived backward pass (`trainingGraph`).
 *
 * The layout and its rules: docs/architecture.md.
 *
 * @packageDocumentation
 */
export * from './core/index.js';
export * from './spec/index.js';
export * from './geometry/index.js';
export * from './compile/index.js';
export * from './loss/index.js';
export * from './metrics/index.js';
export * from './regions/index.js';
export * from './augment/index.js';
export * from './infer/index.js';
export * from './backend/index.js';
export * from './train/index.js';
export * from './onnx/index.js';
export * from './plan/index.js';
export * from './zoo/index.js';
