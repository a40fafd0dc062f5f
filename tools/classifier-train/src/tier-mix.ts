import { TIERS, type Classifier, type Tier } from '@sophia/classifier-core';
import { percentile } from './percentiles.ts';

/** How a classifier spreads a workload over the tiers, with the score distribution behind it. */
export interface TierMix {
  readonly count: number;
  readonly tiers: Readonly<Record<Tier, number>>;
  readonly scorePercentiles: ReadonlyArray<readonly [number, number]>;
}

/**
 * Classifies unlabelled prompts (Arena-Hard: real open-ended requests, unlike the labelled sets) and
 * counts the tiers. No labels exist for them, so the check is the shape: no tier starved, none flooded.
 */
export function tierMix(classifier: Classifier, prompts: ReadonlyArray<string>): TierMix {
  const tiers: Record<Tier, number> = { simple: 0, balanced: 0, complex: 0 };
  const scores: number[] = [];
  for (const prompt of prompts) {
    const result = classifier.classify([{ role: 'user', content: prompt }]);
    tiers[result.tier]++;
    scores.push(result.score);
  }
  return { count: prompts.length, tiers, scorePercentiles: [10, 25, 50, 75, 90].map((p) => [p, percentile(scores, p)] as const) };
}

/** One line per tier with its share, and the score percentiles. */
export function formatTierMix(mix: TierMix, modelVersion: string): string {
  return [
    `Arena-Hard tier mix (${mix.count} unlabelled prompts, committed model ${modelVersion}, its own thresholds):`,
    ...TIERS.map((t) => `  ${t.padEnd(9)} ${String(mix.tiers[t]).padStart(4)}  ${((mix.tiers[t] / mix.count) * 100).toFixed(1).padStart(5)}%`),
    `  score percentiles: ${mix.scorePercentiles.map(([p, v]) => `p${p} ${v.toFixed(3)}`).join('  ')}`,
  ].join('\n');
}
