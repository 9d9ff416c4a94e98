export { writeFileAtomic } from './atomic.js';
export { MODEL_JSON, modelDirectory } from './model-files.js';
