export { TASK_TYPES, TIERS, type TaskType, type Tier, type ChatMessage } from './task-type.ts';
export { detectTaskType, lastUserContent } from './detect-task-type.ts';
export { countPromptTokens } from './count-tokens.ts';
export { extractFeatures, DENSE_FEATURE_NAMES, MAX_WORDS, type FeatureSet } from './extract-features.ts';
export { quantityFeatures, QUANTITY_FEATURE_NAMES } from './quantity-features.ts';
export { demandFeatures, DEMAND_FEATURE_NAMES } from './demand-features.ts';
export { expectedOutputTokens } from './expected-output-tokens.ts';
export { parseClassifierModel, classifierModelSchema, type ClassifierModel } from './classifier-model.ts';
export {
  calibratedScore,
  createClassifier,
  promptKind,
  scoreFeatures,
  tierFor,
  type Classifier,
  type ClassifierOptions,
  type Classification,
  type FeatureContribution,
  type LinearScore,
  type PromptKind,
  type TierThresholds,
} from './create-classifier.ts';
export { loadDefaultModel } from './load-default-model.ts';
