import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dataDirOption, defaultWeightsPath, numberOption } from './cli-args.ts';
import { loadRouteLlm } from './load-routellm.ts';
import { trainRoutingModel } from './train-routing-model.ts';
import { DEFAULT_TRAIN_OPTIONS } from './train-model.ts';

// `npm run train -w @sophia/classifier-train -- [--data DIR] [--seed N] [--folds K] [--out FILE]`
// Learns the router from every RouteLLM label and writes the weights file (default: the committed one).
// Generalisation is measured by `eval`, which re-runs this recipe inside grouped cross-validation.
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    seed: { type: 'string' },
    folds: { type: 'string' },
    out: { type: 'string' },
  },
});
const dataDir = dataDirOption(values.data, 'routellm', 'train');
const seed = numberOption(values.seed, 'seed', 42);
const folds = numberOption(values.folds, 'folds', 5);
const out = values.out ?? defaultWeightsPath();
const started = performance.now();
const examples = loadRouteLlm(dataDir);
process.stderr.write(`loaded ${examples.length} labelled prompts from ${dataDir}\n`);
const model = trainRoutingModel(examples, {
  seed,
  folds,
  options: DEFAULT_TRAIN_OPTIONS,
  command: `npm run -s train -w @sophia/classifier-train -- --seed ${seed} --folds ${folds}`,
  source:
    'lm-sys/RouteLLM correctness labels (Apache-2.0): routellm/gsm8k_responses.csv and routellm/mmlu/*.csv (all 1,319 GSM8K and 7,658 MMLU prompts of 29 subjects); weak = Mixtral-8x7B-Instruct, strong = gpt-4-1106-preview',
});
writeFileSync(out, `${JSON.stringify(model, null, 1)}\n`);
process.stderr.write(
  `wrote ${out}: ${model.version}, ${Object.keys(model.dense).length} dense weights, ${Object.keys(model.words).length} words, thresholds ${JSON.stringify(model.thresholds)} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
