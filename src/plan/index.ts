export { augmentationFor } from './augmentation.js';
export { trainOptionsFor, type PlannedOptions, type PlannedTraining } from './options.js';
export { fingerprint, type DatasetFingerprint, type Spread } from './fingerprint.js';
export { measureStepSeconds, planTraining, stepTimeKey, timeTrainSteps, type MeasureOptions, type PlanOptions, type PlanResult, type StepTimeCache } from './planner.js';
export {
  architectureSpec,
  BASE_FILTERS,
  BATCHES,
  BATCH_MARGIN,
  candidateKey,
  choosePlan,
  depthFor,
  FINE_TUNE_RATE_SHARE,
  FOREGROUND_SHARE,
  MIN_STEPS,
  OVERHEAD_SHARE,
  planCandidates,
  plannedTrainer,
  receptiveField,
  recipeFor,
  snapTile,
  startCandidates,
  TARGET_DIAMETER,
  tileFor,
  type StartingNetwork,
  type PlanCandidate,
  type PlanExplanation,
  type PlannedNetwork,
  type Recipe,
  type TrainerSettings,
  type RatedCandidate,
  type SpeedTable,
  type TrainingPlan,
} from './rules.js';
