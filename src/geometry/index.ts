export * from './errors.js';
export * from './summary.js';
export * from './table.js';
export * from './tiles.js';
export { walkAxis, type WalkFailure, type WalkResult } from './walk.js';
