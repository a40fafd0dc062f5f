import { createTtftWindow, type TtftWindow } from './ttft-window.ts';

/**
 * How first-token limits are learned; every field has a default, and `maxMs` is the configured
 * first-token timeout of the service using it (see docs/configuration.md, "Time to first token").
 */
export interface TtftLimitsOptions {
  /** The limit never goes below this (ms): protects against a target that was briefly very fast. */
  readonly minMs: number;
  /** The limit never goes above this (ms), and it is the limit while too little is known. */
  readonly maxMs: number;
  /** Limit = `factor` × the target's recent quantile. @default 4 */
  readonly factor?: number;
  /** Which quantile of the target's recent TTFTs the limit and the hedge delay follow. @default 0.99 */
  readonly quantile?: number;
  /** Samples needed before the learned figures replace the configured maximum. @default 20 */
  readonly minSamples?: number;
  /** Hedge after `hedgeFactor` × the quantile ("far slower than its own p99"). @default 2 */
  readonly hedgeFactor?: number;
  /** Never hedge before this (ms). @default 200 */
  readonly hedgeMinMs?: number;
  /** Sketch window (ms). @default 60000 */
  readonly windowMs?: number;
  readonly now?: () => number;
}

/** What one target's limits are right now (for logs, metrics and the admin view). */
export interface TtftTargetView {
  readonly target: string;
  readonly samples: number;
  /** The learned quantile (ms), undefined while cold. */
  readonly quantileMs: number | undefined;
  readonly limitMs: number;
  readonly hedgeAfterMs: number | undefined;
}

/** Per-target time-to-first-token limits, learned from what each target actually does. */
export interface TtftLimits {
  /** A first token arrived `ms` after the attempt started. */
  observe(target: string, ms: number): void;
  /**
   * An attempt was abandoned at `ms` without a first token (its limit, or the hedge it lost to).
   * Counted as a sample of `ms`: the TTFT was at least that, so a target that became slower lifts
   * its own limit (by up to `factor` per window) instead of timing out forever at the old one.
   */
  observeCensored(target: string, ms: number): void;
  /** How long to wait for this target's first token before giving up on it. */
  limitMs(target: string): number;
  /** When to start a hedge (the next target, in parallel) if this one is still silent; undefined while cold. */
  hedgeAfterMs(target: string): number | undefined;
  view(target: string): TtftTargetView;
  targets(): string[];
}

/**
 * Learned first-token limits per target (a provider, a GPU endpoint, a router target): `factor` ×
 * the recent p99, clamped to [minMs, maxMs], the configured maximum until `minSamples` are seen.
 * Targets are keyed by configured names, so the map is bounded by the configuration. Kept in
 * process memory on purpose: these are measurements of the last minutes that a restart relearns
 * in seconds, not operational state.
 */
export function createTtftLimits(options: TtftLimitsOptions): TtftLimits {
  if (!(options.minMs > 0) || !(options.maxMs >= options.minMs)) {
    throw new RangeError(`ttft limits: need 0 < minMs (${options.minMs}) <= maxMs (${options.maxMs})`);
  }
  const factor = options.factor ?? 4;
  const q = options.quantile ?? 0.99;
  const minSamples = options.minSamples ?? 20;
  const hedgeFactor = options.hedgeFactor ?? 2;
  const hedgeMinMs = options.hedgeMinMs ?? 200;
  const windows = new Map<string, TtftWindow>();
  const windowOf = (target: string): TtftWindow => {
    let w = windows.get(target);
    if (w === undefined) {
      w = createTtftWindow({ ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}), ...(options.now ? { now: options.now } : {}) });
      windows.set(target, w);
    }
    return w;
  };
  const clamp = (ms: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.ceil(ms)));

  const view = (target: string): TtftTargetView => {
    const w = windows.get(target);
    const samples = w?.count() ?? 0;
    const learned = w !== undefined && samples >= minSamples ? w.quantile(q) : undefined;
    if (learned === undefined) return { target, samples, quantileMs: undefined, limitMs: options.maxMs, hedgeAfterMs: undefined };
    const limitMs = clamp(factor * learned, options.minMs, options.maxMs);
    return { target, samples, quantileMs: learned, limitMs, hedgeAfterMs: clamp(hedgeFactor * learned, Math.min(hedgeMinMs, limitMs), limitMs) };
  };

  return {
    observe: (target, ms) => windowOf(target).observe(ms),
    observeCensored: (target, ms) => windowOf(target).observe(ms),
    limitMs: (target) => view(target).limitMs,
    hedgeAfterMs: (target) => view(target).hedgeAfterMs,
    view,
    targets: () => [...windows.keys()],
  };
}
