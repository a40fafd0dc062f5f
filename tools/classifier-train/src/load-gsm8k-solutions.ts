import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCsv } from './parse-csv.ts';

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
  const rows = parseCsv(readFileSync(file, 'utf8'));
  const header = rows[0] ?? [];
  const promptCol = header.indexOf('prompt');
  const weakCol = header.indexOf(WEAK_RESPONSE);
  const strongCol = header.indexOf(STRONG_RESPONSE);
  if (promptCol < 0 || weakCol < 0 || strongCol < 0) {
    throw new Error(`${file}: header must contain prompt, ${WEAK_RESPONSE} and ${STRONG_RESPONSE}`);
  }
  const solutions = new Map<string, SolvedPrompt>();
  for (const row of rows.slice(1)) {
    const prompt = row[promptCol] ?? '';
    solutions.set(prompt, { prompt, weakResponse: row[weakCol] ?? '', strongResponse: row[strongCol] ?? '' });
  }
  return solutions;
}
