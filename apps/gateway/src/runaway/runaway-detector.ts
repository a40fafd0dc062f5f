/**
 * Runaway detection for one caller (an API key): an exponentially decayed request rate over a short
 * horizon compared with the caller's own long-horizon baseline (never below a floor, so a quiet key
 * going to a modest rate is not a runaway), plus identical prompts repeated within seconds. Pure and
 * clock-injected; thresholds are ratios to the caller's own history, not absolute numbers tuned to a test.
 */
export interface RunawayOptions {
  /** Short horizon of the current rate (decay time constant). @default 10000 */
  readonly shortMs?: number;
  /** Long horizon of the baseline. @default 600000 */
  readonly baselineMs?: number;
  /** Rate (per minute) below which a caller is never a runaway. @default 60 */
  readonly floorPerMinute?: number;
  /** Current / max(baseline, floor) at which requests are slowed. @default 5 */
  readonly slowRatio?: number;
  /** … and at which they are stopped. @default 20 */
  readonly stopRatio?: number;
  /** Identical prompts (decayed count over `shortMs`) at which a caller is slowed; twice this stops it. @default 5 */
  readonly repeatsToSlow?: number;
}

/** What to do with one request. */
export type RunawayVerdict =
  | { readonly action: 'pass' }
  | { readonly action: 'slow'; readonly delayMs: number; readonly why: string }
  | { readonly action: 'stop'; readonly why: string };

interface Decayed {
  value: number;
  atMs: number;
}

function bump(d: Decayed | undefined, nowMs: number, tauMs: number): Decayed {
  const value = d ? d.value * Math.exp(-Math.max(0, nowMs - d.atMs) / tauMs) : 0;
  return { value: value + 1, atMs: nowMs };
}

/** Per-caller state: decayed counts (a count over τ ≈ rate × τ). */
export interface RunawayDetector {
  /** Records one request of `caller` with prompt fingerprint `fingerprint` and judges it. */
  observe(caller: string, fingerprint: string, nowMs: number): RunawayVerdict;
}

/** A detector with bounded memory: callers idle for a baseline horizon are forgotten. */
export function createRunawayDetector(options: RunawayOptions = {}): RunawayDetector {
  const shortMs = options.shortMs ?? 10_000;
  const baselineMs = options.baselineMs ?? 600_000;
  const floorPerMs = (options.floorPerMinute ?? 60) / 60_000;
  const slowRatio = options.slowRatio ?? 5;
  const stopRatio = options.stopRatio ?? 20;
  const repeatsToSlow = options.repeatsToSlow ?? 5;
  const callers = new Map<string, { short?: Decayed; long?: Decayed; prompts: Map<string, Decayed>; lastMs: number }>();
  return {
    observe(caller, fingerprint, nowMs) {
      if (callers.size > 10_000) for (const [k, v] of callers) if (nowMs - v.lastMs > baselineMs) callers.delete(k);
      let state = callers.get(caller);
      if (!state) callers.set(caller, (state = { prompts: new Map(), lastMs: nowMs }));
      // The baseline is judged before this request joins it: a burst is compared with what came before.
      const baselineRate = state.long ? (state.long.value * Math.exp(-Math.max(0, nowMs - state.long.atMs) / baselineMs)) / baselineMs : 0;
      state.short = bump(state.short, nowMs, shortMs);
      state.long = bump(state.long, nowMs, baselineMs);
      state.lastMs = nowMs;
      for (const [fp, d] of state.prompts) if (nowMs - d.atMs > shortMs * 5) state.prompts.delete(fp);
      const repeats = bump(state.prompts.get(fingerprint), nowMs, shortMs);
      state.prompts.set(fingerprint, repeats);
      const ratio = state.short.value / shortMs / Math.max(baselineRate, floorPerMs);
      if (ratio >= stopRatio) return { action: 'stop', why: `request rate ${ratio.toFixed(1)}× its baseline` };
      if (repeats.value >= repeatsToSlow * 2) return { action: 'stop', why: `the same prompt ${Math.round(repeats.value)} times within seconds` };
      if (ratio >= slowRatio) return { action: 'slow', delayMs: Math.min(5000, Math.round(250 * ratio)), why: `request rate ${ratio.toFixed(1)}× its baseline` };
      if (repeats.value >= repeatsToSlow) return { action: 'slow', delayMs: Math.min(5000, Math.round(250 * repeats.value)), why: `the same prompt ${Math.round(repeats.value)} times within seconds` };
      return { action: 'pass' };
    },
  };
}
