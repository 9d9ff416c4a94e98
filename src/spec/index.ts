export {
  attentionGate,
  bottleneck,
  BATCH_NORM_DEFAULTS,
  CONV_UNITS,
  convUnit,
  decoderBlock,
  doubleConv,
  encoderBlock,
  outputBlock,
  residualBlock,
  type Block,
  type ConvSettings,
  type ConvUnitKind,
} from './blocks.js';
export { SpecError } from './errors.js';
export {
  ATTENTION_UNET_BUILDER,
  presetSpec,
  registerBuilder,
  registeredBuilders,
  RESUNET_BUILDER,
  specBuilder,
  UNET_BUILDER,
  UNET_PLUS_PLUS_BUILDER,
  type SpecBuilder,
} from './builders.js';
export {
  attentionUnet,
  resolveAttentionUNetOptions,
  resolveResUNetOptions,
  resolveUNetPlusPlusOptions,
  resUnet,
  unetPlusPlus,
  type ResolvedResUNetOptions,
  type ResUNetOptions,
} from './family.js';
export { graph, SPEC_FORMAT, SPEC_LIMITS, SPEC_VERSION, type GraphDefinition, type Spec } from './graph.js';
export { MAX_SPEC_JSON_LENGTH, specFromJSON, specToJSON } from './json.js';
export * from './nodes.js';
export { kindOf, NODE_KIND_TABLE, nodeInputs, type FieldParser, type FieldParsers, type KindDefinition, type NodeOfKind } from './kinds.js';
export * from './options.js';
export * from './presets.js';
export { unet, type UNetSpec } from './unet.js';
export { supervisedNodes, supervisionPoints, type DeepSupervision } from './supervision.js';
