export { BACKENDS, useBackend, type BackendName } from './use.js';
export { registerKernels } from './kernels.js';
