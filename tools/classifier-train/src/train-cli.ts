import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dataDirOption, defaultWeightsPath, numberOption } from './cli-args.ts';
import { loadRouteLlm } from './load-routellm.ts';
import { trainRoutingModel } from './train-routing-model.ts';
import { DEFAULT_TRAIN_OPTIONS } from './train-model.ts';

// `npm run train -w @sophia/classifier-train -- [--data DIR] [--seed N] [--test-fraction F] [--folds K] [--out FILE]`
// Learns the router from RouteLLM labels and writes the weights file (default: the committed one).
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    seed: { type: 'string' },
    'test-fraction': { type: 'string' },
    folds: { type: 'string' },
    out: { type: 'string' },
  },
});
const dataDir = dataDirOption(values.data, 'routellm', 'train');
const seed = numberOption(values.seed, 'seed', 42);
const testFraction = numberOption(values['test-fraction'], 'test-fraction', 0.3);
const folds = numberOption(values.folds, 'folds', 5);
const out = values.out ?? defaultWeightsPath();
const started = performance.now();
const examples = loadRouteLlm(dataDir);
process.stderr.write(`loaded ${examples.length} labelled prompts from ${dataDir}\n`);
const model = trainRoutingModel(examples, {
  seed,
  testFraction,
  folds,
  options: DEFAULT_TRAIN_OPTIONS,
  command: `npm run -s train -w @sophia/classifier-train -- --seed ${seed} --test-fraction ${testFraction} --folds ${folds}`,
  source:
    'lm-sys/RouteLLM correctness labels (Apache-2.0): routellm/gsm8k_responses.csv and routellm/mmlu/*.csv; weak = Mixtral-8x7B-Instruct, strong = gpt-4-1106-preview; trained on the training split only',
});
writeFileSync(out, `${JSON.stringify(model, null, 1)}\n`);
process.stderr.write(
  `wrote ${out}: ${model.version}, ${Object.keys(model.words).length} words, thresholds ${JSON.stringify(model.thresholds)} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
