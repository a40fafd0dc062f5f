import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadDefaultModel, parseClassifierModel } from '@sophia/classifier-core';
import { z } from 'zod';
import { defaultDataDir } from './cli-args.ts';
import { evaluateSplit, formatEvaluation } from './evaluate-split.ts';
import { loadRouteLlm } from './load-routellm.ts';
import { splitRouteLlm } from './split-routellm.ts';

// `npm run eval -w @sophia/classifier-train -- [--data DIR] [--model FILE]`
// Rebuilds the seeded split recorded in the weights file and prints routing quality on the held-out part.
const { values } = parseArgs({ options: { data: { type: 'string' }, model: { type: 'string' } } });
const model = values.model === undefined ? loadDefaultModel() : parseClassifierModel(JSON.parse(readFileSync(values.model, 'utf8')));
const split = z
  .object({ seed: z.number(), testFraction: z.number(), testSubjects: z.array(z.string()) })
  .parse(model.evaluation?.['split']);
const dataDir = values.data ?? defaultDataDir();
const rebuilt = splitRouteLlm(loadRouteLlm(dataDir), split.seed, split.testFraction);
if (rebuilt.testSubjects.join() !== split.testSubjects.join()) {
  throw new Error(`split mismatch: model was trained with test subjects ${split.testSubjects.join()} but data gives ${rebuilt.testSubjects.join()}`);
}
const rows = evaluateSplit(model, rebuilt.test);
process.stdout.write(
  [
    `model ${model.version} (target ${model.target}); data ${dataDir}`,
    `held-out split (seed ${split.seed}, ${split.testFraction * 100}%): GSM8K by prompt; MMLU by subject = ${split.testSubjects.join(', ')}`,
    'cost cut = 1 − strong-call share needed for 95% of the strong model’s quality (weak calls counted as free, relative to all-strong; RouteLLM convention)',
    'random = expected random router; length-only = score is the prompt’s character count',
    '',
    formatEvaluation(rows),
    '',
  ].join('\n'),
);
