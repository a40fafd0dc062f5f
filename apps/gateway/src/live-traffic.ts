/** How a chat request ended, as its client saw it. */
export type TrafficOutcome = 'ok' | 'error' | 'cancelled';

/** Figures of the chat requests that ended within one window. */
export interface TrafficFigures {
  /** End of the window (exclusive), epoch ms. */
  readonly endMs: number;
  readonly windowMs: number;
  readonly requests: number;
  readonly errors: number;
  readonly fallbacks: number;
  readonly cancelled: number;
  /** Nearest-rank percentiles of the answered requests' latency; 0 when none. */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

/** One request in progress; `end` records it once (later calls are ignored). */
export interface TrafficTicket {
  end(outcome: TrafficOutcome, fallback: boolean): void;
}

/**
 * The gateway's live view of its own chat traffic — what the Operations dashboard streams. Like the
 * Prometheus registry it is a per-process measurement, not state: lost on restart, bounded in time
 * and size.
 */
export interface LiveTraffic {
  begin(): TrafficTicket;
  inFlight(): number;
  /** Requests that ended in [endMs - windowMs, endMs). */
  window(endMs: number, windowMs: number): TrafficFigures;
  /** `count` consecutive windows of `stepMs`, oldest first, the last ending at `endMs`. */
  series(endMs: number, stepMs: number, count: number): TrafficFigures[];
}

interface Sample {
  readonly endMs: number;
  readonly latencyMs: number;
  readonly outcome: TrafficOutcome;
  readonly fallback: boolean;
}

/** Options for {@link createLiveTraffic}. */
export interface LiveTrafficOptions {
  /** @default Date.now */
  readonly now?: () => number;
  /** Samples older than this are dropped. @default 1 hour (60 windows of the longest interval) */
  readonly retainMs?: number;
  /** At most this many samples are kept (the oldest go first). @default 200000 */
  readonly maxSamples?: number;
}

function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** Index of the first sample ending at or after `t` (samples are in end order). */
function firstAtOrAfter(samples: readonly Sample[], t: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples[mid]!.endMs < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A {@link LiveTraffic} over an in-process, time- and size-bounded sample list. */
export function createLiveTraffic(options: LiveTrafficOptions = {}): LiveTraffic {
  const now = options.now ?? Date.now;
  const retainMs = options.retainMs ?? 3_600_000;
  const maxSamples = options.maxSamples ?? 200_000;
  let samples: Sample[] = [];
  let inFlight = 0;

  const prune = (t: number): void => {
    // Over the cap, drop down to 7/8 of it: one copy per maxSamples/8 requests, not one per request.
    const overCap = samples.length > maxSamples ? samples.length - Math.floor((maxSamples * 7) / 8) : 0;
    const keepFrom = Math.max(firstAtOrAfter(samples, t - retainMs), overCap);
    if (overCap > 0 || keepFrom > 1024 || keepFrom > samples.length / 2) samples = samples.slice(keepFrom);
  };

  const window = (endMs: number, windowMs: number): TrafficFigures => {
    const from = firstAtOrAfter(samples, endMs - windowMs);
    const to = firstAtOrAfter(samples, endMs);
    let errors = 0;
    let fallbacks = 0;
    let cancelled = 0;
    const latencies: number[] = [];
    for (let i = from; i < to; i++) {
      const s = samples[i]!;
      if (s.fallback) fallbacks += 1;
      if (s.outcome === 'error') errors += 1;
      else if (s.outcome === 'cancelled') cancelled += 1;
      else latencies.push(s.latencyMs);
    }
    latencies.sort((a, b) => a - b);
    return {
      endMs,
      windowMs,
      requests: to - from,
      errors,
      fallbacks,
      cancelled,
      p50Ms: nearestRank(latencies, 0.5),
      p95Ms: nearestRank(latencies, 0.95),
      p99Ms: nearestRank(latencies, 0.99),
    };
  };

  return {
    begin() {
      const startMs = now();
      inFlight += 1;
      let ended = false;
      return {
        end(outcome, fallback) {
          if (ended) return;
          ended = true;
          inFlight -= 1;
          const endMs = Math.max(now(), samples[samples.length - 1]?.endMs ?? 0);
          samples.push({ endMs, latencyMs: Math.max(0, endMs - startMs), outcome, fallback });
          prune(endMs);
        },
      };
    },
    inFlight: () => inFlight,
    window,
    series(endMs, stepMs, count) {
      return Array.from({ length: count }, (_, i) => window(endMs - (count - 1 - i) * stepMs, stepMs));
    },
  };
}
