import type { RoutingExample } from './load-routellm.ts';
import { apgr, routingCurve } from './routing-metrics.ts';

/** One MMLU subject (or GSM8K) of an evaluation set: how hard it is for each model and how we score it. */
export interface SubjectRow {
  readonly group: string;
  readonly count: number;
  readonly weakQuality: number;
  readonly strongQuality: number;
  /** Mean router score over the subject: should be high where the weak model is weak. */
  readonly meanScore: number;
  /** APGR of the router *within* the subject (NaN when both models are equally good there). */
  readonly apgr: number;
}

/**
 * Per-group breakdown of a scored evaluation set. The pooled MMLU figure mixes two skills — ranking
 * subjects by difficulty and ranking prompts within a subject — and a held-out set of easy subjects
 * makes even a random router look strong; this table shows which is which.
 */
export function subjectTable(examples: ReadonlyArray<RoutingExample>, scores: ReadonlyArray<number>): SubjectRow[] {
  if (examples.length !== scores.length) throw new Error('subjectTable: examples and scores must have equal length');
  const groups = new Map<string, Array<{ example: RoutingExample; score: number }>>();
  examples.forEach((example, i) => {
    const list = groups.get(example.group) ?? [];
    list.push({ example, score: scores[i]! });
    groups.set(example.group, list);
  });
  return [...groups.keys()].sort().map((group) => {
    const items = groups.get(group)!;
    const curve = routingCurve(
      items.map(({ example, score }) => ({ score, weakCorrect: example.weakCorrect, strongCorrect: example.strongCorrect })),
    );
    const mean = (f: (e: { example: RoutingExample; score: number }) => number) => items.reduce((s, e) => s + f(e), 0) / items.length;
    return {
      group,
      count: items.length,
      weakQuality: mean((e) => (e.example.weakCorrect ? 1 : 0)),
      strongQuality: mean((e) => (e.example.strongCorrect ? 1 : 0)),
      meanScore: mean((e) => e.score),
      apgr: apgr(curve),
    };
  });
}

/** Below this weak/strong accuracy gap (2 points) the within-subject APGR divides by ~0 and means nothing. */
const MIN_GAP = 0.02;

function apgrCell(row: SubjectRow): string {
  if (Math.abs(row.strongQuality - row.weakQuality) < MIN_GAP) return 'gap < 2 pts';
  return row.apgr.toFixed(3);
}

/** Renders {@link subjectTable} rows as a fixed-width table. */
export function formatSubjectTable(rows: ReadonlyArray<SubjectRow>): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(7);
  return [
    'subject                              n    weak  strong  mean score  APGR within',
    ...rows.map((r) =>
      [r.group.padEnd(32), String(r.count).padStart(5), pct(r.weakQuality), pct(r.strongQuality), r.meanScore.toFixed(3).padStart(11), apgrCell(r).padStart(12)].join(' '),
    ),
  ].join('\n');
}
