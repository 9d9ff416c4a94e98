export { displacementField, elasticDeform, randomGrid, type DisplacementField, type ElasticOptions } from './elastic.js';
export {
  augment,
  PAPER_AUGMENTATION,
  type AugmentOp,
  type AugmentOptions,
  type Range,
  type Sample,
} from './pipeline.js';
export { Random, type RandomState } from './random.js';
export { BOUNDARIES, boundaryIndex, keys, ORDERS, resample, type Boundary, type Order, type SampleOptions } from './sampling.js';
export { sampleTiles, tileBatches, tilesToArrays, tilesToTensors, type BatchOptions, type Tile, type TileArrays, type TileBatch, type TileOptions } from './tiles.js';
export { syntheticCells, type SyntheticCells } from './synthetic.js';
export {
  checkNormalization,
  intensityPercentiles,
  normalizeImage,
  NORMALIZATION_KINDS,
  unitScale,
  type Normalization,
} from './normalization.js';
