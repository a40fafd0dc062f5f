/**
 * The task-type ids the classifier emits. They map one-to-one onto proto `sophia.common.v1.TaskType`
 * (`open_qa` → TASK_TYPE_OPEN_QA, …), so the gRPC service can translate without a lookup table of its own.
 */
export const TASK_TYPES = [
  'open_qa',
  'summarization',
  'extraction',
  'classification',
  'code',
  'math_reasoning',
  'sql_data',
  'creative_writing',
  'rewriting',
  'chat',
  'other',
] as const;

/** One of {@link TASK_TYPES}. */
export type TaskType = (typeof TASK_TYPES)[number];

/** Model tiers in increasing size/cost; map onto proto `sophia.common.v1.Tier` (SIMPLE, BALANCED, COMPLEX). */
export const TIERS = ['simple', 'balanced', 'complex'] as const;

/** One of {@link TIERS}. */
export type Tier = (typeof TIERS)[number];

/** A chat turn as the classifier sees it: role is free text (system/user/assistant/tool/developer). */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}
