import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClassifier, loadDefaultModel, parseClassifierModel } from '@sophia/classifier-core';
import { z } from 'zod';
import { dataDirOption, numberOption } from './cli-args.ts';
import { costCutIntervals, formatCostCutIntervals } from './cost-cut-intervals.ts';
import { crossValidatedEvaluation } from './cross-validated-evaluation.ts';
import { evaluateSplit, formatEvaluation } from './evaluate-split.ts';
import { loadGsm8kSolutions } from './load-gsm8k-solutions.ts';
import { loadRouteLlm } from './load-routellm.ts';
import { splitRouteLlm } from './split-routellm.ts';
import { formatRepeatedSplits, repeatedSplitEvaluation } from './repeated-split-evaluation.ts';
import { solutionCeilings } from './solution-ceilings.ts';
import { formatSubjectTable, subjectTable } from './subject-table.ts';
import { TRAINING_TARGETS } from './train-model.ts';

// `npm run eval -w @sophia/classifier-train -- [--data DIR] [--model FILE] [--cv K] [--splits N] [--ceilings]`
// Rebuilds the seeded split recorded in the weights file and prints routing quality on the held-out part.
// With --cv K it also prints a K-fold (by MMLU subject) cross-validation over all 29 subjects; with
// --splits N the held-out protocol repeated over N seeded splits (seeds 1…N), median and range; with
// --ceilings, what routers that read the models' own GSM8K solutions (or the labels) would reach.
const { values } = parseArgs({
  options: { data: { type: 'string' }, model: { type: 'string' }, cv: { type: 'string' }, splits: { type: 'string' }, ceilings: { type: 'boolean' } },
});
const model = values.model === undefined ? loadDefaultModel() : parseClassifierModel(JSON.parse(readFileSync(values.model, 'utf8')));
const split = z
  .object({ seed: z.number(), testFraction: z.number(), testSubjects: z.array(z.string()) })
  .parse(model.evaluation?.['split']);
const trainOptions = z
  .object({
    target: z.enum(TRAINING_TARGETS),
    iterations: z.number(),
    learningRate: z.number(),
    l2Dense: z.number(),
    l2Words: z.number(),
    minDocFreq: z.number(),
    minGroups: z.number(),
    balanceDatasets: z.boolean(),
    groupWeightPower: z.number().default(0),
    singleTaskDatasets: z.array(z.string()).default([]),
  })
  .parse(model.evaluation?.['options']);
const dataDir = dataDirOption(values.data, 'routellm', 'eval');
const examples = loadRouteLlm(dataDir);
const rebuilt = splitRouteLlm(examples, split.seed, split.testFraction);
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
const classifier = createClassifier(model);
const intervalLines = [...new Set(rebuilt.test.map((e) => e.dataset))].sort().map((dataset) =>
  formatCostCutIntervals(
    dataset,
    costCutIntervals(
      rebuilt.test
        .filter((e) => e.dataset === dataset)
        .map((e) => ({
          score: classifier.classify([{ role: 'user', content: e.prompt }]).score,
          baseline: e.prompt.length,
          weakCorrect: e.weakCorrect,
          strongCorrect: e.strongCorrect,
        })),
    ),
  ),
);
process.stdout.write(
  ['held-out cost cut @95% with 95% bootstrap intervals (500 paired resamples of prompts):', ...intervalLines, ''].join('\n'),
);
const heldMmlu = rebuilt.test.filter((e) => e.dataset === 'mmlu');
process.stdout.write(
  [
    'held-out MMLU by subject (ours = committed model):',
    '',
    formatSubjectTable(subjectTable(heldMmlu, heldMmlu.map((e) => classifier.classify([{ role: 'user', content: e.prompt }]).score))),
    '',
  ].join('\n'),
);

const cvFolds = numberOption(values.cv, 'cv', 0);
if (cvFolds >= 2) {
  const cvRows = crossValidatedEvaluation(examples, trainOptions, cvFolds, split.seed);
  process.stdout.write(
    [
      `${cvFolds}-fold cross-validation over all prompts (seed ${split.seed}; MMLU folds by whole subject, GSM8K by prompt; each prompt scored by a model that never saw its subject):`,
      '',
      formatEvaluation(cvRows),
      '',
    ].join('\n'),
  );
}

const splitCount = numberOption(values.splits, 'splits', 0);
if (splitCount >= 1) {
  const seeds = Array.from({ length: splitCount }, (_, i) => i + 1);
  process.stdout.write(
    [
      `held-out protocol repeated over ${splitCount} seeded splits (seeds 1…${splitCount}, ${split.testFraction * 100}% held out: MMLU by whole subject, GSM8K by prompt; a model trained per split with the committed recipe):`,
      '',
      formatRepeatedSplits(repeatedSplitEvaluation(examples, trainOptions, seeds, split.testFraction)),
      '',
    ].join('\n'),
  );
}

if (values.ceilings === true) {
  const solutions = loadGsm8kSolutions(dataDir);
  process.stdout.write(
    [
      'GSM8K ceilings: routers that read what no router sees at request time (the models’ solutions, the label):',
      '',
      formatEvaluation([
        ...solutionCeilings('held-out', rebuilt.test, solutions),
        ...solutionCeilings('train', rebuilt.train, solutions),
      ]),
      '',
    ].join('\n'),
  );
}
