export { ArgumentError } from './errors.js';
export { cropImage, type FileImage, type ImageArray, type LabelImage, type TypedArray } from './image.js';
export { Random, type RandomState } from './random.js';
export { BOUNDARIES, boundaryIndex, type Boundary } from './boundary.js';
export { labelComponents, type ComponentOptions, type Components } from './components.js';
export { distanceTransform, type DistanceOptions } from './distance.js';
export {
  checkNormalization,
  intensityPercentiles,
  normalizeImage,
  NORMALIZATION_KINDS,
  unitScale,
  type Normalization,
} from './normalization.js';
export { otsuThreshold } from './threshold.js';
export { resizeImage, RESIZE_MODES, type ResizeMode } from './resize.js';
