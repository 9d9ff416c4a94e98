export { predictTiled, type PredictOptions, type TiledPrediction } from './predict.js';
export { modelPredictor, type TilePredictor } from './predictor.js';
