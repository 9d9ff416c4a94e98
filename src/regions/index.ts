export { labelInstances, type InstanceOptions, type Instances } from './instances.js';
export { thinBorders } from './thinning.js';
export { splitByProbability, splitTouching, type SplitOptions } from './watershed.js';
export {
  classTable,
  colorIds,
  decideMaskType,
  fileStem,
  interpretMasks,
  pairMasks,
  MASK_TYPES,
  MAX_CLASSES,
  maskEvidence,
  maskLabels,
  separateInstances,
  SINGLE_REGION_SHARE,
  type Color,
  type MaskDecision,
  type MaskEvidence,
  type MaskPair,
  type MaskSet,
  type MaskSetOptions,
  type MaskType,
} from './masks.js';
export { overlay } from './overlay.js';
export { instanceRows, type InstanceRows, type InstanceRowsOptions } from './stream-instances.js';
