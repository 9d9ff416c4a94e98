export { displacementField, elasticDeform, randomGrid, type DisplacementField, type ElasticOptions } from './elastic.js';
export {
  augment,
  PAPER_AUGMENTATION,
  type AugmentOp,
  type AugmentOptions,
  type Range,
  type Sample,
} from './pipeline.js';
export { keys, ORDERS, resample, type Order, type SampleOptions } from './sampling.js';
export { syntheticCells, type SyntheticCells } from './synthetic.js';
