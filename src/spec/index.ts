export * from './blocks.js';
export * from './errors.js';
export * from './graph.js';
export * from './json.js';
export * from './nodes.js';
export * from './options.js';
export * from './presets.js';
export * from './unet.js';
