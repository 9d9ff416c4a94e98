export * from './errors.js';
export * from './summary.js';
export * from './table.js';
export {
  alignment,
  checkInputSize,
  defaultInputSize,
  inputSizeFor,
  isValidInputSize,
  margin,
  nearestValidInputSize,
  outputSize,
  validInputSizes,
  type TileSize,
  type ValidInputSize,
} from './tiles.js';
