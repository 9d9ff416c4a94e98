export { labelComponents, type ComponentOptions, type Components } from './components.js';
export { distanceTransform, type DistanceOptions } from './distance.js';
export type { LabelImage } from './image.js';
export { LABEL_KINDS, weightMap, type LabelKind, type WeightMapOptions } from './weight-map.js';
