export { ONNX_INFO_KEY, ONNX_LAYOUT_KEY, ONNX_SPEC_KEY, toOnnx, type OnnxExportOptions, type OnnxLayout } from './export.js';
export { readOnnxInfo, type OnnxModelInfo } from './metadata.js';
export { onnxPredictor, openOnnxModel, type OpenOnnxOptions, type OrtModuleLike, type OrtSessionLike, type OrtTensorConstructor, type OrtTensorLike } from './predictor.js';
export {
  trainingGraph,
  type TrainingFeed,
  type TrainingGraph,
  type TrainingGraphOptions,
  type TrainingOptimizer,
  type TrainingParameter,
  type TrainingState,
} from './training/training-graph.js';
