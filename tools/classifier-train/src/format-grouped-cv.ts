import { median, summariseGroupedCv, type GroupedCvResult, type RouterTriple } from './grouped-cross-validation.ts';
import { apgr, routingCurve } from './routing-metrics.ts';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const pts = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;

function spread(values: ReadonlyArray<number>): string {
  return `${pct(median(values))} [${pct(Math.min(...values))}, ${pct(Math.max(...values))}]`;
}

function routerRows(runs: ReadonlyArray<RouterTriple>): string[] {
  const rows: string[] = [];
  for (const [key, label] of [['ours', 'ours'], ['length', 'length-only'], ['random', 'random']] as const) {
    const cuts = runs.map((r) => r[key].costCutAtTarget);
    const apgrs = runs.map((r) => r[key].apgr);
    rows.push(`  ${label.padEnd(12)} cost cut @95% median [min, max] ${spread(cuts).padEnd(24)} APGR median ${median(apgrs).toFixed(3)}`);
  }
  return rows;
}

/**
 * Prints grouped cross-validation as the issue reads it: every MMLU fold (held-out subjects, ours
 * against length-only and random), the distribution over folds, the two MMLU targets checked, the
 * per-subject breakdown and GSM8K's 5-fold figures per seed.
 */
export function formatGroupedCv(result: GroupedCvResult): string {
  const s = summariseGroupedCv(result);
  const margins = result.mmluFolds.map((f) => f.ours.costCutAtTarget - f.length.costCutAtTarget);
  const lines = [
    `MMLU, grouped ${result.folds}-fold CV by whole subject × ${result.seeds.length} seeds (${result.seeds.join(', ')}): each fold's subjects are scored by a model retrained on the other subjects (and GSM8K) with the committed recipe`,
    '',
    'seed fold     n  ours   length random  ours−len  held-out subjects',
    ...result.mmluFolds.map((f) =>
      [
        String(f.seed).padStart(4),
        String(f.fold).padStart(4),
        String(f.ours.count).padStart(5),
        pct(f.ours.costCutAtTarget).padStart(6),
        pct(f.length.costCutAtTarget).padStart(6),
        pct(f.random.costCutAtTarget).padStart(6),
        pts(f.ours.costCutAtTarget - f.length.costCutAtTarget).padStart(8),
        ` ${f.subjects.join(', ')}`,
      ].join(' '),
    ),
    '',
    `over ${result.mmluFolds.length} folds (cost cut @95% of strong quality, pooled within a fold):`,
    ...routerRows(result.mmluFolds),
    `  ours − length-only per fold: median ${pts(median(margins))} points, worst ${pts(s.worstFoldMargin)}; below length in ${s.foldsBelowLength}, more than 5 points below in ${s.foldsMoreThan5Below}`,
    `  target "median ≥ length-only + 10 points": ${pct(s.mmluMedian.ours)} vs ${pct(s.mmluMedian.length + 0.1)} → ${s.mmluMedian.ours >= s.mmluMedian.length + 0.1 ? 'met' : 'NOT met'}`,
    `  target "no fold more than 5 points below length-only": worst ${pts(s.worstFoldMargin)} → ${s.foldsMoreThan5Below === 0 ? 'met' : 'NOT met'}`,
    '',
    `all ${new Set(result.subjects.map((subject) => subject.subject)).size} subjects pooled, out-of-fold (one figure per seed):`,
    ...routerRows(result.mmluPooled),
    '',
    formatSubjects(result),
    '',
    `GSM8K, ${result.folds}-fold CV over all ${result.gsm8kPooled[0]?.ours.count ?? 0} prompts (by prompt), pooled out-of-fold, one figure per seed:`,
    ...routerRows(result.gsm8kPooled),
    `  per seed (ours / length-only): ${result.gsm8kPooled.map((r) => `${pct(r.ours.costCutAtTarget)} / ${pct(r.length.costCutAtTarget)}`).join(' · ')}`,
    `  target "≥ 40%": median ${pct(s.gsm8kMedian.ours)} → ${s.gsm8kMedian.ours >= 0.4 ? 'met' : 'NOT met'}`,
  ];
  return lines.join('\n');
}

/**
 * Per held-out subject, over seeds: how high the subject's prompts rank among all out-of-fold MMLU
 * prompts (ours vs length; the pooled figure rewards ranking hard subjects high) and how well each
 * router orders prompts inside the subject (APGR within; NaN-free only where the models differ).
 */
function formatSubjects(result: GroupedCvResult): string {
  const bySeed = new Map<number, number[]>();
  const lengthsBySeed = new Map<number, number[]>();
  for (const s of result.subjects) {
    bySeed.set(s.seed, [...(bySeed.get(s.seed) ?? []), ...s.examples.map((e) => e.score)]);
    lengthsBySeed.set(s.seed, [...(lengthsBySeed.get(s.seed) ?? []), ...s.examples.map((e) => e.length)]);
  }
  for (const list of [...bySeed.values(), ...lengthsBySeed.values()]) list.sort((a, b) => a - b);
  const rankIn = (sorted: ReadonlyArray<number>, x: number): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo / sorted.length;
  };
  const subjects = [...new Set(result.subjects.map((s) => s.subject))].sort();
  const lines = [
    'MMLU per held-out subject (median over seeds): mean rank = average percentile of its prompts among all out-of-fold MMLU prompts',
    'subject                             n   weak  strong   gain  mean rank ours/len  APGR within ours/len',
  ];
  for (const subject of subjects) {
    const runs = result.subjects.filter((s) => s.subject === subject);
    const first = runs[0]!.examples;
    const mean = (f: (e: (typeof first)[number]) => number) => first.reduce((a, e) => a + f(e), 0) / first.length;
    const weak = mean((e) => (e.weakCorrect ? 1 : 0));
    const strong = mean((e) => (e.strongCorrect ? 1 : 0));
    const rankOurs = median(runs.map((r) => r.examples.reduce((a, e) => a + rankIn(bySeed.get(r.seed)!, e.score), 0) / r.examples.length));
    const rankLen = median(runs.map((r) => r.examples.reduce((a, e) => a + rankIn(lengthsBySeed.get(r.seed)!, e.length), 0) / r.examples.length));
    const within = Math.abs(strong - weak) < 0.02 ? 'gap < 2 pts' : `${median(runs.map((r) => apgr(routingCurve(r.examples)))).toFixed(2)} / ${apgr(routingCurve(first.map((e) => ({ ...e, score: e.length })))).toFixed(2)}`;
    lines.push(
      [
        subject.padEnd(30),
        String(first.length).padStart(5),
        pct(weak).padStart(6),
        pct(strong).padStart(6),
        pts(strong - weak).padStart(6),
        `${rankOurs.toFixed(2)} / ${rankLen.toFixed(2)}`.padStart(19),
        within.padStart(21),
      ].join(' '),
    );
  }
  return lines.join('\n');
}
