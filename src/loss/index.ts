export * from './components.js';
export * from './distance.js';
export * from './image.js';
export * from './weight-map.js';
