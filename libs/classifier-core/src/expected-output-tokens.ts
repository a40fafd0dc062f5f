import type { TaskType } from './task-type.ts';

/** Fixed-length answers per task type, in tokens: typical reply sizes of chat models on such requests. */
const BASE: Readonly<Record<TaskType, number>> = {
  open_qa: 300,
  summarization: 250,
  extraction: 200,
  classification: 20,
  code: 600,
  math_reasoning: 350,
  sql_data: 250,
  creative_writing: 600,
  rewriting: 300,
  chat: 150,
  other: 250,
};

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, Math.round(value)));
}

/**
 * Expected completion length, so the router can forecast cost before calling a model. Heuristic, not
 * learned: length-preserving tasks scale with the input (rewriting ≈ the input, summaries ≈ a fifth,
 * extraction ≈ a sixth); the rest use the typical reply sizes in `BASE`.
 */
export function expectedOutputTokens(taskType: TaskType, promptTokens: number): number {
  switch (taskType) {
    case 'rewriting':
      return clamp(promptTokens, 30, 2000);
    case 'summarization':
      return clamp(promptTokens / 5, 60, 600);
    case 'extraction':
      return clamp(promptTokens / 6, 40, 600);
    default:
      return BASE[taskType];
  }
}
