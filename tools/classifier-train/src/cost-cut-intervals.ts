import { bootstrapInterval, type Interval } from './bootstrap-interval.ts';
import { evaluateRouter, type ScoredExample } from './routing-metrics.ts';

/** A scored example that also carries a baseline router's score, for paired comparisons. */
export interface PairedExample extends ScoredExample {
  readonly baseline: number;
}

/** Bootstrap intervals for our cost cut, the baseline's, and the paired difference (ours − baseline). */
export interface CostCutIntervals {
  readonly ours: Interval;
  readonly baseline: Interval;
  readonly difference: Interval;
}

/**
 * Resamples prompts (paired: both routers see the same resample) and reports 95 % intervals of the cost
 * cut at `qualityFraction` of strong quality. The paired difference says whether "beats the baseline" is
 * more than the luck of which prompts were held out.
 */
export function costCutIntervals(items: ReadonlyArray<PairedExample>, qualityFraction = 0.95, seed = 1): CostCutIntervals {
  const cut = (indices: ReadonlyArray<number>, pick: (e: PairedExample) => number): number =>
    evaluateRouter(
      indices.map((i) => {
        const e = items[i]!;
        return { score: pick(e), weakCorrect: e.weakCorrect, strongCorrect: e.strongCorrect };
      }),
      qualityFraction,
    ).costCutAtTarget;
  const options = { reps: 500, seed };
  return {
    ours: bootstrapInterval(items.length, (idx) => cut(idx, (e) => e.score), options),
    baseline: bootstrapInterval(items.length, (idx) => cut(idx, (e) => e.baseline), options),
    difference: bootstrapInterval(items.length, (idx) => cut(idx, (e) => e.score) - cut(idx, (e) => e.baseline), options),
  };
}

/** One line per interval set, e.g. `gsm8k  ours 28.1% [20.0, 36.5]  length-only …  difference …`. */
export function formatCostCutIntervals(label: string, intervals: CostCutIntervals): string {
  const f = (i: Interval) => `${(i.estimate * 100).toFixed(1)}% [${(i.low * 100).toFixed(1)}, ${(i.high * 100).toFixed(1)}]`;
  return `${label.padEnd(8)} ours ${f(intervals.ours)}   length-only ${f(intervals.baseline)}   ours − length ${f(intervals.difference)}`;
}
