import type { EvaluationRow } from './format-evaluation.ts';
import type { SolvedPrompt } from './load-gsm8k-solutions.ts';
import type { RoutingExample } from './load-routellm.ts';
import { evaluateRouter, type ScoredExample } from './routing-metrics.ts';

/** One scorer that may read what no router can see at request time (the models' own answers, labels). */
interface PrivilegedRouter {
  readonly name: string;
  readonly score: (example: RoutingExample, solved: SolvedPrompt) => number;
}

const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

/**
 * Routers that cheat, to bound what any prompt-only router can reach on a set of GSM8K prompts:
 * the length of GPT-4's worked solution and its number of computations ("=" signs) measure how many
 * steps the problem really takes; the weak model's own solution length; and the label itself (the
 * weak model's actual failure), whose shortfall from 100 % is the noise of one sampled answer per prompt
 * (a weak-wrong prompt the strong model also fails buys nothing when escalated).
 */
export const PRIVILEGED_ROUTERS: ReadonlyArray<PrivilegedRouter> = [
  { name: 'prompt length (a real router)', score: (e) => e.prompt.length },
  { name: 'GPT-4 solution length', score: (_, s) => s.strongResponse.length },
  { name: 'GPT-4 computations (=)', score: (_, s) => count(s.strongResponse, /=/g) },
  { name: 'Mixtral solution length', score: (_, s) => s.weakResponse.length },
  { name: 'oracle: Mixtral was wrong', score: (e) => (e.weakCorrect ? 0 : 1) },
];

/** Scores GSM8K examples with every privileged router; fails loudly if a prompt has no solutions. */
export function solutionCeilings(
  label: string,
  examples: ReadonlyArray<RoutingExample>,
  solutions: ReadonlyMap<string, SolvedPrompt>,
): EvaluationRow[] {
  const gsm8k = examples.filter((e) => e.dataset === 'gsm8k');
  const solved = gsm8k.map((e) => {
    const s = solutions.get(e.prompt);
    if (s === undefined) throw new Error(`no solutions for GSM8K prompt ${JSON.stringify(e.prompt.slice(0, 60))}`);
    return s;
  });
  return PRIVILEGED_ROUTERS.map(({ name, score }) => {
    const scored: ScoredExample[] = gsm8k.map((e, i) => ({
      score: score(e, solved[i]!),
      weakCorrect: e.weakCorrect,
      strongCorrect: e.strongCorrect,
    }));
    return { dataset: label, router: name, metrics: evaluateRouter(scored) };
  });
}
