export { BACKENDS, useBackend, type BackendName } from './use.js';
export { registerKernels, stockKernel } from './kernels.js';
export { convFilterGradient } from './conv-filter-gradient.js';
