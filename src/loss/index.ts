export { labelComponents, type ComponentOptions, type Components } from './components.js';
export { cropToOutput } from './crop.js';
export {
  packedWeightedCrossEntropy,
  packTargets,
  REDUCTIONS,
  weightedSoftmaxCrossEntropy,
  type CrossEntropyOptions,
  type PackedLossOptions,
  type Reduction,
} from './cross-entropy.js';
export { distanceTransform, type DistanceOptions } from './distance.js';
export type { ImageArray, LabelImage, TypedArray } from './image.js';
export { LABEL_KINDS, weightMap, type LabelKind, type WeightMapOptions } from './weight-map.js';
export {
  focalLoss,
  LOSS_KINDS,
  LOSS_PRESETS,
  resolveLoss,
  segmentationLoss,
  softDiceLoss,
  type LossPreset,
  type LossTerm,
  type SegmentationLoss,
} from './losses.js';
