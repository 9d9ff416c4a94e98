export { buildModel, needsFixedInputSize, withInputSize, withSupervisionHeads, type BuildOptions } from './build.js';
export { heStddev } from './initializers.js';
export { checkModelInfo, METADATA_KEY, modelInfoOf, specOf, type ModelInfo } from './metadata.js';
export { loadModel, modelFiles, modelFolderFiles, saveModel, type LoadedModel, type ModelFolderFiles } from './persist.js';
export { leanConvGradients } from './lean-gradients.js';
