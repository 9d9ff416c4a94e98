export { bottleneck, BATCH_NORM_DEFAULTS, convUnit, decoderBlock, doubleConv, encoderBlock, outputBlock, type Block, type ConvSettings } from './blocks.js';
export { SpecError } from './errors.js';
export { graph, SPEC_FORMAT, SPEC_LIMITS, SPEC_VERSION, type GraphDefinition, type Spec } from './graph.js';
export { MAX_SPEC_JSON_LENGTH, specFromJSON, specToJSON } from './json.js';
export * from './nodes.js';
export { kindOf, NODE_KIND_TABLE, nodeInputs, type FieldParser, type FieldParsers, type KindDefinition, type NodeOfKind } from './kinds.js';
export * from './options.js';
export * from './presets.js';
export * from './unet.js';
