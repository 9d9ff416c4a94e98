/**
 * `tfjs-unet/browser`: what a web page needs beyond the root entry: image
 * and mask files decoded in the page (PNG, JPEG, TIFF incl. 16-bit and
 * stacks), datasets of chosen files, PNG downloads and canvas pixels.
 * Prediction, training and ONNX Runtime (register `onnxruntime-web` with
 * `registerOnnxRuntime`) come from the root entry `tfjs-unet`.
 *
 * @packageDocumentation
 */
// The errors the decoders throw, for `instanceof` checks without importing the root entry.
export { ArgumentError } from '../core/errors.js';
export { decodeImage, encodePng, imageFormat, imagePages, toImageData, type DecodeOptions, type ImageFormat, type ImageSource } from './images.js';
export { loadDatasetFiles, type NamedSource, type PageDataset } from './dataset.js';
export { isPackage, packageFiles } from './packages.js';
