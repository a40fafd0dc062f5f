import { formatPercent } from '../ui/format.ts';

/**
 * Spend below a cent over the period: a return "on" it is a division by almost nothing (a few
 * micro-dollars against a $6,444 baseline is 1,324,109,487 %), not a figure anyone can act on.
 */
export const MIN_SPEND_FOR_ROI_MICRO = 10_000n;

/** ROI beyond this ratio (10,000 %) prints as "> 10,000 %": the exact size says nothing more. */
export const ROI_DISPLAY_CAP = 100;

/** The ROI card's text and raw value (`data-value`: the ratio, or "" when not shown). */
export interface RoiFigure {
  readonly text: string;
  readonly raw: number | string;
}

/**
 * ROI against the GPU baseline, (baseline − spend) ÷ spend = saved ÷ spend, as a finance reader
 * reads it: "n/a (spend ≈ $0)" when the period's spend is under a cent, a capped percentage when it
 * is enormous, and never NaN, Infinity or "-0 %".
 */
export function roiFigure(savedMicro: bigint, spendMicro: bigint): RoiFigure {
  if (spendMicro < MIN_SPEND_FOR_ROI_MICRO) return { text: 'n/a (spend ≈ $0)', raw: '' };
  const ratio = Number(savedMicro) / Number(spendMicro);
  if (ratio > ROI_DISPLAY_CAP) return { text: `> ${formatPercent(ROI_DISPLAY_CAP)}`, raw: ratio };
  return { text: formatPercent(ratio), raw: ratio };
}

/** Saved ÷ baseline: the share of the GPU baseline's cost the mesh avoided (bounded, unlike ROI). */
export function savedShareText(savedMicro: bigint, baselineMicro: bigint): string | undefined {
  if (baselineMicro <= 0n) return undefined;
  const share = Number(savedMicro) / Number(baselineMicro);
  // Rounding must not claim everything was saved while something was spent.
  if (share > 0.999 && savedMicro < baselineMicro) return `> ${formatPercent(0.999)}`;
  return formatPercent(share);
}
