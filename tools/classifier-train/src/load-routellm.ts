import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readCsvColumns } from './read-csv-columns.ts';

/** One labelled prompt: did the weak (Mixtral-8x7B) and strong (GPT-4) model answer it correctly? */
export interface RoutingExample {
  readonly dataset: 'gsm8k' | 'mmlu';
  /** MMLU subject (file name without `mmlu_`), or `gsm8k`. The unit of the MMLU split. */
  readonly group: string;
  readonly prompt: string;
  readonly weakCorrect: boolean;
  readonly strongCorrect: boolean;
}

const WEAK = 'mistralai/Mixtral-8x7B-Instruct-v0.1';
const STRONG = 'gpt-4-1106-preview';

function parseBool(value: string | undefined, where: string): boolean {
  if (value === 'True') return true;
  if (value === 'False') return false;
  throw new Error(`${where}: expected True or False, got ${JSON.stringify(value)}`);
}

function readExamples(file: string, dataset: RoutingExample['dataset'], group: string): RoutingExample[] {
  return readCsvColumns(file, ['prompt', WEAK, STRONG]).map(([prompt = '', weak, strong], i) => ({
    dataset,
    group,
    prompt,
    weakCorrect: parseBool(weak, `${file} row ${i + 2} column ${WEAK}`),
    strongCorrect: parseBool(strong, `${file} row ${i + 2} column ${STRONG}`),
  }));
}

/**
 * Loads the RouteLLM correctness labels from `<dataDir>/routellm`: GSM8K from `gsm8k_responses.csv`
 * and every `mmlu/mmlu_<subject>.csv`, in a stable (sorted) order.
 */
export function loadRouteLlm(dataDir: string): RoutingExample[] {
  const root = path.join(dataDir, 'routellm');
  const gsm8k = readExamples(path.join(root, 'gsm8k_responses.csv'), 'gsm8k', 'gsm8k');
  const mmluDir = path.join(root, 'mmlu');
  const mmlu = readdirSync(mmluDir)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .flatMap((f) => readExamples(path.join(mmluDir, f), 'mmlu', f.replace(/^mmlu_/, '').replace(/\.csv$/, '')));
  return [...gsm8k, ...mmlu];
}
