export {
  packedWeightedCrossEntropy,
  packTargets,
  REDUCTIONS,
  weightedSoftmaxCrossEntropy,
  type CrossEntropyOptions,
  type PackedLossOptions,
  type Reduction,
} from './cross-entropy.js';
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
export { paintedLabels, type PaintedLabels } from './painted.js';
