export { predictTiled, type PredictOptions, type TiledPrediction } from './predict.js';
export { modelPredictor, type OwnedTilePredictor, type TilePredictor } from './predictor.js';
export { predictInstances, type PredictedInstances, type PredictInstancesOptions } from './instances.js';
export { specGeometry, stepGeometry, type TileGeometry } from './geometry.js';
