import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClassifier, loadDefaultModel, parseClassifierModel, scoreFeatures } from '@sophia/classifier-core';
import { z } from 'zod';
import { dataDirOption, numberOption } from './cli-args.ts';
import { formatEvaluation } from './format-evaluation.ts';
import { formatGroupedCv } from './format-grouped-cv.ts';
import { groupedCrossValidation } from './grouped-cross-validation.ts';
import { loadArenaHardPrompts } from './load-arena-hard.ts';
import { loadGsm8kSolutions } from './load-gsm8k-solutions.ts';
import { loadRouteLlm } from './load-routellm.ts';
import { nestedLengthBoost } from './nested-length-boost.ts';
import { formatRepeatedSplits, repeatedSplitEvaluation } from './repeated-split-evaluation.ts';
import { solutionCeilings } from './solution-ceilings.ts';
import { formatTierMix, tierMix } from './tier-mix.ts';
import { LENGTH_BOOST_CANDIDATES, prepareExamples, trainModel, TRAINING_TARGETS } from './train-model.ts';

// `npm run -s eval -w @sophia/classifier-train -- [--data DIR] [--model FILE] [--folds K] [--seeds N] [--nested] [--splits N] [--ceilings]`
// Predicts how the committed recipe generalises: grouped K-fold cross-validation over the 29 MMLU
// subjects (whole subjects held out, seeds 1…N) beside length-only and random, GSM8K K-fold CV over all
// prompts, and the tier mix the committed model gives the 500 Arena-Hard prompts. --nested also runs
// the grouped CV with the length boost chosen inside every training set by its own grouped CV (so the
// selection itself is measured, not just the value committed). --splits N adds the
// older held-out protocol (30 % of subjects) repeated over N seeds; --ceilings, what routers that read
// the models' own GSM8K solutions (or the labels) would reach.
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    model: { type: 'string' },
    folds: { type: 'string' },
    seeds: { type: 'string' },
    splits: { type: 'string' },
    ceilings: { type: 'boolean' },
    nested: { type: 'boolean' },
  },
});
const dataDir = dataDirOption(values.data, 'routellm', 'eval');
const model = values.model === undefined ? loadDefaultModel() : parseClassifierModel(JSON.parse(readFileSync(values.model, 'utf8')));
const targetSchema = z.enum(TRAINING_TARGETS);
const options = z
  .object({
    target: targetSchema,
    iterations: z.number(),
    learningRate: z.number(),
    l2Dense: z.number(),
    l2Words: z.number(),
    minDocFreq: z.number(),
    minGroups: z.number(),
    balanceDatasets: z.boolean(),
    groupWeightPower: z.number(),
    singleTaskDatasets: z.array(z.string()),
    targetByDataset: z.record(z.string(), targetSchema),
    vocabulary: z.boolean(),
    taskOneHots: z.boolean(),
    lengthBoost: z.number(),
    // Models trained before bagging have one fit.
    bags: z.number().default(1),
    bagGroupShare: z.number().default(1),
    bagSeed: z.number().default(0),
  })
  .parse(model.evaluation?.['options']);
const folds = numberOption(values.folds, 'folds', 5);
const seedCount = numberOption(values.seeds, 'seeds', 5);
const examples = loadRouteLlm(dataDir);
const prepared = prepareExamples(examples);

process.stdout.write(
  [
    `model ${model.version}; recipe options ${JSON.stringify(options)}; data ${dataDir}`,
    'cost cut = 1 − strong-call share needed for 95% of the strong model’s quality (weak calls counted as free, relative to all-strong; RouteLLM convention)',
    'random = expected random router; length-only = score is the prompt’s character count',
    '',
    '',
  ].join('\n'),
);
const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
const grouped = groupedCrossValidation(
  prepared,
  (train) => {
    const fitted = trainModel(train, options, { version: 'cv', source: 'cv', command: 'eval' });
    return (p) => scoreFeatures(fitted, p.features).logit;
  },
  folds,
  seeds,
);
process.stdout.write(`${formatGroupedCv(grouped)}\n\n`);

if (values.nested === true) {
  const chosen: number[] = [];
  const nested = groupedCrossValidation(prepared, nestedLengthBoost(options, LENGTH_BOOST_CANDIDATES, folds - 1, 1, chosen), folds, seeds);
  const picks = [...new Set(chosen)].sort((a, b) => a - b).map((b) => `${b} ×${chosen.filter((c) => c === b).length}`);
  process.stdout.write(
    [
      `NESTED: the same grouped CV, but each outer training set picks lengthBoost from ${LENGTH_BOOST_CANDIDATES.join(', ')} by its own grouped ${folds - 1}-fold CV (picks: ${picks.join(', ')})`,
      '',
      formatGroupedCv(nested),
      '',
      '',
    ].join('\n'),
  );
}

const arenaDir = dataDirOption(values.data, 'arena-hard/question.jsonl', 'eval');
process.stdout.write(`${formatTierMix(tierMix(createClassifier(model), loadArenaHardPrompts(arenaDir)), model.version)}\n\n`);

const splitCount = numberOption(values.splits, 'splits', 0);
if (splitCount >= 1) {
  process.stdout.write(
    [
      `held-out protocol repeated over ${splitCount} seeded splits (seeds 1…${splitCount}, 30% held out: MMLU by whole subject, GSM8K by prompt; a model trained per split with the committed recipe):`,
      '',
      formatRepeatedSplits(repeatedSplitEvaluation(examples, options, Array.from({ length: splitCount }, (_, i) => i + 1), 0.3)),
      '',
      '',
    ].join('\n'),
  );
}

if (values.ceilings === true) {
  const gsm8k = examples.filter((e) => e.dataset === 'gsm8k');
  process.stdout.write(
    [
      'GSM8K ceilings over all prompts: routers that read what no router sees at request time (the models’ solutions, the label):',
      '',
      formatEvaluation(solutionCeilings('all', gsm8k, loadGsm8kSolutions(dataDir))),
      '',
    ].join('\n'),
  );
}
