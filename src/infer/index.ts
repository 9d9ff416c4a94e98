export { predictTiled, type PredictOptions, type TiledPrediction } from './predict.js';
