export { displacementField, elasticDeform, randomGrid, type DisplacementField, type ElasticOptions } from './elastic.js';
export {
  augment,
  AUGMENT_KINDS,
  AUGMENT_OPS,
  PAPER_AUGMENTATION,
  weakenPipeline,
  type AugmentOp,
  type Coordinates,
  type OpOf,
  type GeometricDefinition,
  type GrayDefinition,
  type OpDefinition,
  type AugmentOptions,
  type Range,
  type Sample,
} from './pipeline.js';
export { keys, ORDERS, resample, type Order, type SampleOptions } from './sampling.js';
export { syntheticCells, type SyntheticCells } from './synthetic.js';
