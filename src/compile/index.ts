export { buildModel, needsFixedInputSize, withInputSize, type BuildOptions } from './build.js';
export { heStddev } from './initializers.js';
export { METADATA_KEY, specOf } from './metadata.js';
export { loadModel, saveModel, type LoadedModel } from './persist.js';
export { leanConvGradients } from './lean-gradients.js';
