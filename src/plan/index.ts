export { augmentationFor } from './augmentation.js';
export { fingerprint, type DatasetFingerprint, type Spread } from './fingerprint.js';
export { measureStepSeconds, planTraining, type MeasureOptions, type PlanResult } from './planner.js';
export {
  ARCHITECTURES,
  architectureSpec,
  BASE_FILTERS,
  BATCHES,
  BATCH_MARGIN,
  candidateKey,
  choosePlan,
  depthFor,
  MIN_STEPS,
  OVERHEAD_SHARE,
  planCandidates,
  receptiveField,
  tileFor,
  type Architecture,
  type PlanCandidate,
  type RatedCandidate,
  type SpeedTable,
  type TrainingPlan,
} from './rules.js';
