export { predictTiled, type PredictOptions, type TiledPrediction } from './predict.js';
export { decisionThreshold, modelPredictor, type OwnedTilePredictor, type TilePredictor } from './predictor.js';
export { predictInstances, type PredictedInstances, type PredictInstancesOptions } from './instances.js';
export { specGeometry, stepGeometry, type TileGeometry } from './geometry.js';
export { predictRows, type ImageRows, type PredictRowsOptions, type ProbabilityRows } from './stream.js';
