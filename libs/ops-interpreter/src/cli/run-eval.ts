import { evaluateInterpreter, type Evaluation } from '../eval/evaluate-interpreter.ts';
import { crossValidate } from '../eval/cross-validate.ts';
import { freshSet } from '../eval/fresh-set.ts';
import { heldOutSet } from '../eval/frozen-set.ts';
import { labelledSet } from '../eval/labelled-set.ts';
import { perturbPhrase } from '../eval/perturb-phrase.ts';
import { trainingCorpus } from '../model/intent-model.ts';
import { parseFlags, type CliIo } from './cli-io.ts';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const line = (name: string, e: Evaluation): string =>
  `${name.padEnd(14)} commands ${pct(e.commands.accuracy)} (${e.commands.correct}/${e.commands.total}; intent only ${pct(e.commandIntentOnly.accuracy)})  ` +
  `negatives ${pct(e.negatives.accuracy)} (${e.negatives.correct}/${e.negatives.total})  latency p50 ${e.latencyMs.p50} ms p99 ${e.latencyMs.p99} ms\n`;

/**
 * `ops eval`: the interpreter's accuracy on its labelled set — clean and noisy (typos, politeness),
 * per split; `--split fresh` is the second held-out set of free-form phrasings.
 */
export function runEval(args: readonly string[], io: CliIo): number {
  const parsed = parseFlags(args, ['split'], ['misses', 'cv']);
  if (!parsed.ok) {
    io.stderr(`ops eval: ${parsed.problem}\n`);
    return 2;
  }
  if (parsed.flags['cv']) return runCrossValidation(io);
  const split = parsed.flags['split'] ?? 'all';
  if (!['dev', 'test', 'fresh', 'frozen', 'blind', 'all'].includes(split)) {
    io.stderr('ops eval: --split must be dev, test, fresh, frozen, blind or all\n');
    return 2;
  }
  if (split === 'blind' && parsed.flags['misses']) {
    io.stderr('ops eval: the blind set prints only its scores (--misses would unblind it)\n');
    return 2;
  }
  const items = split === 'fresh' ? freshSet() : split === 'frozen' || split === 'blind' ? heldOutSet(split) : labelledSet().filter((i) => split === 'all' || i.split === split);
  const clean = evaluateInterpreter(items);
  const noisy = evaluateInterpreter(items.map(perturbPhrase));
  io.stdout(line(`${split} clean`, clean));
  io.stdout(line(`${split} noisy`, noisy));
  if (parsed.flags['misses']) for (const m of [...clean.misses, ...noisy.misses]) io.stdout(`${JSON.stringify(m)}\n`);
  return 0;
}

/** `ops eval --cv`: grouped 5-fold cross-validation of the trained intent model on the training corpus. */
function runCrossValidation(io: CliIo): number {
  const folds = crossValidate(trainingCorpus());
  const mean = (f: (x: (typeof folds)[number]) => number): string => pct(folds.reduce((a, x) => a + f(x), 0) / folds.length);
  for (const f of folds) {
    io.stdout(
      `fold ${f.fold} (${f.size})  rules: commands ${pct(f.rules.commands.accuracy)} negatives ${pct(f.rules.negatives.accuracy)}  ` +
        `rules+model: commands ${pct(f.hybrid.commands.accuracy)} negatives ${pct(f.hybrid.negatives.accuracy)}  model alone (intent) ${pct(f.modelIntent.accuracy)}\n`,
    );
  }
  io.stdout(
    `mean          rules: commands ${mean((x) => x.rules.commands.accuracy)} negatives ${mean((x) => x.rules.negatives.accuracy)}  ` +
      `rules+model: commands ${mean((x) => x.hybrid.commands.accuracy)} negatives ${mean((x) => x.hybrid.negatives.accuracy)}  model alone (intent) ${mean((x) => x.modelIntent.accuracy)}\n`,
  );
  return 0;
}
