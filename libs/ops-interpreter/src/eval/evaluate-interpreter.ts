import { performance } from 'node:perf_hooks';
import { interpretCommand, interpretationLine } from '../interpret-command.ts';
import type { IntentModel } from '../model/intent-model.ts';
import { LABEL_NOW, LABEL_TIME_ZONE, type LabelledPhrase } from './labelled-set.ts';

/** Accuracy of one slice of the labelled set. */
export interface SliceScore {
  readonly total: number;
  readonly correct: number;
  readonly accuracy: number;
}

/** One wrong answer, for the report. */
export interface Miss {
  readonly id: string;
  readonly text: string;
  readonly expected: { intent: string; args: unknown };
  readonly got: { intent: string; args: unknown };
}

/** Scores of a run: commands (intent AND every argument exact) and negatives separately, latency in ms. */
export interface Evaluation {
  readonly commands: SliceScore;
  readonly commandIntentOnly: SliceScore;
  readonly negatives: SliceScore;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly misses: readonly Miss[];
}

const score = (correct: number, total: number): SliceScore => ({ total, correct, accuracy: total === 0 ? 0 : correct / total });

function sameArgs(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && String(a[k]) === String(b[k]));
}

/**
 * Runs the interpreter over labelled phrases and scores it; each phrase is timed on its own, after
 * one warm-up call (the word lists, the date parser and the model load on first use, once per process).
 * `model`: the intent model to use (undefined = the default one, null = rules only).
 */
export function evaluateInterpreter(items: readonly LabelledPhrase[], model?: IntentModel | null): Evaluation {
  const now = new Date(LABEL_NOW);
  interpretCommand('warm up: usage since Dec 1', { now, timeZone: LABEL_TIME_ZONE, model });
  const times: number[] = [];
  let cmd = 0;
  let cmdIntent = 0;
  let neg = 0;
  let cmdTotal = 0;
  let negTotal = 0;
  const misses: Miss[] = [];
  for (const item of items) {
    const t0 = performance.now();
    const got = interpretationLine(interpretCommand(item.text, { now, timeZone: LABEL_TIME_ZONE, model }));
    times.push(performance.now() - t0);
    const ok = got.intent === item.intent && sameArgs(got.args, item.args);
    if (item.intent === 'none') {
      negTotal++;
      if (got.intent === 'none') neg++;
    } else {
      cmdTotal++;
      if (ok) cmd++;
      if (got.intent === item.intent) cmdIntent++;
    }
    if (!ok) misses.push({ id: item.id, text: item.text, expected: { intent: item.intent, args: item.args }, got });
  }
  times.sort((a, b) => a - b);
  const pct = (q: number): number => Math.round((times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] ?? 0) * 1000) / 1000;
  return { commands: score(cmd, cmdTotal), commandIntentOnly: score(cmdIntent, cmdTotal), negatives: score(neg, negTotal), latencyMs: { p50: pct(0.5), p99: pct(0.99), max: pct(1) }, misses };
}
