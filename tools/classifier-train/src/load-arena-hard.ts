import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const line = z.object({ prompt: z.string() });

/**
 * The Arena-Hard prompts (`<dataDir>/arena-hard/question.jsonl`): 500 real, unlabelled user prompts,
 * the open-ended workload the tier mix and the latency bench are measured on.
 */
export function loadArenaHardPrompts(dataDir: string): string[] {
  const file = path.join(dataDir, 'arena-hard/question.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const parsed = line.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`${file} line ${i + 1}: field "prompt" must be a string`);
      return parsed.data.prompt;
    });
}
