export { CALIBRATION_THRESHOLDS, calibrate, MIN_SIZE_CANDIDATES, SEED_THRESHOLDS, thinBackgroundShare, type Calibration } from './calibrate.js';
export { CHECKPOINT_FORMAT, type Checkpoint, type StepRecord, type TensorManifest } from './checkpoint.js';
export { checkSchedule, learningRateAt, SCHEDULE_KINDS, type Schedule } from './schedule.js';
export {
  train,
  TrainingError,
  type CheckpointSink,
  type GivenValidation,
  type HoldOutValidation,
  type RunPolicy,
  type StepConfig,
  type StepInfo,
  type TrainCallbacks,
  type TrainData,
  type TrainOptions,
  type TrainResult,
} from './train.js';
export {
  holdOut,
  lowerIsBetter,
  VALIDATION_METRICS,
  validationRecord,
  validationReport,
  type LabelledImages,
  type ValidationMetric,
  type ValidationRecord,
} from './validation.js';
export type { OnnxRuntimeLike } from './engine.js';
export { cropToOutput } from './crop.js';
export { drawBatch, sampleTiles, tileBatches, tilesToArrays, tilesToTensors, type BatchOptions, type Tile, type TileArrays, type TileBatch, type TileOptions } from './tiles.js';
export { headTargets, supervisionLossWeights, type HeadTargets } from './supervision.js';
export { compareWithBaseline, thresholdBaseline, type BaselineComparison, type ThresholdBaseline } from './baseline.js';
export { DATA_KINDS, dataKind, TISSUE_SHARE, type DataKind } from './calibrate.js';
export {
  ENGINE_CAPABILITIES,
  ENGINE_NAMES,
  engineNameOf,
  registerOnnxRuntime,
  resolveEngine,
  unsupported,
  type EngineCapabilities,
  type EngineChoice,
  type EngineName,
  type EngineNeeds,
  type OnnxEngineChoice,
  type ResolvedEngine,
  type Unsupported,
} from './engines.js';
export { VALIDATION_SHARE } from './train.js';
