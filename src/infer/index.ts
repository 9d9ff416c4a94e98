export { predictTiled, type PredictOptions, type TiledPrediction } from './predict.js';
export { chooseInputSize, tileBytes, windowStarts } from './tiles.js';
