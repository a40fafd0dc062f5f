// Per-model calibration of the prompt estimate against what the provider billed, learned from the
// ledger's own history: each committed request whose reservation carried the local estimate adds
// one sample (billed / estimate and billed − estimate), in the same atomic step as its record. The
// reservation of the next request of that model then bounds the billed prompt by the highest ratio
// and the highest excess seen (PromptTokenLine pair) — for any estimate between the shortest and the
// longest prompt seen, one of the two lines covers a provider that bills a·estimate + b. Until a model
// has MIN_CALIBRATION_SAMPLES, the safe default (DEFAULT_PROMPT_BOUND) applies. Samples are kept in
// two generations of CALIBRATION_GENERATION each, so the bound follows a provider that changes its
// template or tokenizer within two generations instead of remembering the worst case forever.
import { DEFAULT_PROMPT_BOUND, type PromptTokenLine } from '@sophia/price-catalog';

/** Samples of the current generation before it becomes the previous one. */
export const CALIBRATION_GENERATION = 1000;
/** Samples a model needs before its own calibration replaces the default. */
export const MIN_CALIBRATION_SAMPLES = 20;

/** What a store returns for a model: sample count, and the maxima over both generations. */
export interface PromptCalibration {
  readonly samples: number;
  /** Highest billed / estimate seen, in thousandths (rounded up). */
  readonly maxRatioMilli: number;
  /** Highest billed − estimate seen, in tokens (may be negative). */
  readonly maxExcessTokens: number;
}

/** No history. */
export const NO_CALIBRATION: PromptCalibration = { samples: 0, maxRatioMilli: 0, maxExcessTokens: 0 };

/** One sample: the ratio (thousandths, rounded up) and excess of one billed count against its estimate. */
export function calibrationSample(estimate: number, billed: number): { ratioMilli: number; excess: number } {
  return { ratioMilli: Math.ceil((billed * 1000) / estimate), excess: billed - estimate };
}

/** The lines the reservation uses for a model: its own once it has enough samples, else the default. */
export function promptBoundLines(calibration: PromptCalibration): readonly PromptTokenLine[] {
  if (calibration.samples < MIN_CALIBRATION_SAMPLES) return DEFAULT_PROMPT_BOUND;
  return [
    { ratio: calibration.maxRatioMilli / 1000, overheadTokens: 0 },
    { ratio: 1, overheadTokens: calibration.maxExcessTokens },
  ];
}
