import { DDSketch } from '@datadog/sketches-js';

/** Options for {@link createTtftWindow}. */
export interface TtftWindowOptions {
  /** Length of one window; quantiles cover the last one to two windows. @default 60000 */
  readonly windowMs?: number;
  /** The sketch's relative accuracy (a p99 of 1,000 ms is read as 990–1,010 ms at 0.01). @default 0.01 */
  readonly relativeAccuracy?: number;
  readonly now?: () => number;
}

/** Recent time-to-first-token samples of one target, as a quantile sketch. */
export interface TtftWindow {
  observe(ms: number): void;
  /** The `q` quantile of the recent samples (ms), or undefined when there are none. */
  quantile(q: number): number | undefined;
  /** Samples in the recent window. */
  count(): number;
}

/**
 * What a target did lately, in bounded memory: two DDSketches (a few hundred bytes each, whatever
 * the traffic) rotated every `windowMs`, so quantiles read the current window plus the previous one.
 * A target that changes speed is followed within two windows, yet one quiet minute does not forget
 * everything. DDSketch (Datadog's) has a relative-error guarantee, which suits long-tailed latencies.
 */
export function createTtftWindow(options: TtftWindowOptions = {}): TtftWindow {
  const windowMs = options.windowMs ?? 60_000;
  const relativeAccuracy = options.relativeAccuracy ?? 0.01;
  const now = options.now ?? Date.now;
  let current = new DDSketch({ relativeAccuracy });
  let previous: DDSketch | undefined;
  let windowStart = now();
  // Quantiles are read per request; the merge is redone only after a new sample or a rotation.
  let cached: { q: number; value: number | undefined } | undefined;

  const rotate = (): void => {
    const t = now();
    if (t - windowStart < windowMs) return;
    cached = undefined;
    // More than two windows of silence: the previous one is stale as well.
    previous = t - windowStart < 2 * windowMs && current.count > 0 ? current : undefined;
    current = new DDSketch({ relativeAccuracy });
    windowStart = t;
  };

  return {
    observe(ms) {
      if (!Number.isFinite(ms) || ms < 0) return;
      rotate();
      current.accept(ms);
      cached = undefined;
    },
    quantile(q) {
      rotate();
      if (cached?.q === q) return cached.value;
      let value: number | undefined;
      if (current.count + (previous?.count ?? 0) === 0) value = undefined;
      else if (previous === undefined) value = current.getValueAtQuantile(q);
      else {
        const merged = new DDSketch({ relativeAccuracy });
        merged.merge(previous);
        merged.merge(current);
        value = merged.getValueAtQuantile(q);
      }
      cached = { q, value };
      return value;
    },
    count() {
      rotate();
      return current.count + (previous?.count ?? 0);
    },
  };
}
