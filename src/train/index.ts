export {
  CHECKPOINT_FORMAT,
  type Checkpoint,
  type StepRecord,
  type TensorManifest,
  type ValidationRecord,
} from './checkpoint.js';
export {
  train,
  TrainingError,
  VALIDATION_METRICS,
  type CheckpointSink,
  type StepInfo,
  type TrainData,
  type TrainOptions,
  type TrainResult,
  type ValidationMetric,
} from './train.js';
