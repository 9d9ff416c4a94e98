export { writeFileAtomic } from './atomic.js';
export { CHECKPOINT_JSON, fileCheckpoints, type CheckpointFiles } from './checkpoint-files.js';
export { MODEL_JSON, modelDirectory } from './model-files.js';
