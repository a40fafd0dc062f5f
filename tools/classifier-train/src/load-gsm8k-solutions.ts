import path from 'node:path';
import { readCsvColumns } from './read-csv-columns.ts';

/** A GSM8K prompt with both models' written solutions: training-time-only ("privileged") information. */
export interface SolvedPrompt {
  readonly prompt: string;
  readonly weakResponse: string;
  readonly strongResponse: string;
}

const WEAK_RESPONSE = 'mistralai/Mixtral-8x7B-Instruct-v0.1_response';
const STRONG_RESPONSE = 'gpt-4-1106-preview_response';

/**
 * Reads both models' solutions from `<dataDir>/routellm/gsm8k_responses.csv`, keyed by prompt text (in
 * file order, so they line up with {@link loadRouteLlm}'s GSM8K examples). Never used for serving: a
 * router only sees the prompt. It measures how much a perfect "difficulty" signal could buy.
 */
export function loadGsm8kSolutions(dataDir: string): Map<string, SolvedPrompt> {
  const file = path.join(dataDir, 'routellm', 'gsm8k_responses.csv');
  const solutions = new Map<string, SolvedPrompt>();
  for (const [prompt = '', weakResponse = '', strongResponse = ''] of readCsvColumns(file, ['prompt', WEAK_RESPONSE, STRONG_RESPONSE])) {
    solutions.set(prompt, { prompt, weakResponse, strongResponse });
  }
  return solutions;
}
