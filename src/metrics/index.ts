export {
  challengeScores,
  predictedSegments,
  segmentScores,
  trueSegments,
  type ChallengeOptions,
  type SegmentScoreOptions,
  type SegmentScores,
} from './challenge.js';
export { matchInstances, type InstanceMatch, type MatchOptions } from './instances.js';
export { confusionMatrix, dice, iou, pixelError, type ClassScores } from './pixels.js';
export { randError, type RandErrorOptions, type RandErrorResult } from './rand-error.js';
export {
  CHALLENGE_THRESHOLDS,
  decideClasses,
  evaluateSegmentation,
  type BestScore,
  type EvaluationOptions,
  type EvaluationReport,
  type ImageScores,
  type ScoredImage,
  type ThresholdScores,
} from './report.js';
export { foregroundObjects, segmentationScores, type SegmentationScores } from './scores.js';
