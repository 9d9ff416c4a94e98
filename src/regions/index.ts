export { labelInstances, type InstanceOptions, type Instances } from './instances.js';
export { thinBorders } from './thinning.js';
export { splitTouching, type SplitOptions } from './watershed.js';
