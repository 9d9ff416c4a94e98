export * from './errors.js';
export * from './summary.js';
export * from './table.js';
export {
  alignment,
  nodeScales,
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
export { supervisionHeads, type SupervisionHead } from './supervision.js';
