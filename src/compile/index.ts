export { buildModel, needsFixedInputSize, withInputSize, type BuildOptions } from './build.js';
export { heStddev } from './initializers.js';
