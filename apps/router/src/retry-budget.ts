/** How much retrying the router may add on top of its first-attempt load. */
export interface RetryBudgetSettings {
  /** Retry tokens earned per routed request (0.1 = at most ~10 % extra upstream calls). @default 0.1 */
  readonly ratio: number;
  /** Most tokens that can be saved up (burst after a quiet period). @default 10 */
  readonly maxTokens: number;
}

/**
 * A token bucket shared by every request of a router: each request deposits `ratio`, each retry
 * withdraws one. When an upstream fails everything the bucket drains and retries stop, so retries
 * never multiply an outage; in steady state they add at most `ratio` to the upstream load.
 */
export interface RetryBudget {
  /** A request was routed (earns `ratio`). */
  deposit(): void;
  /** Takes one retry token; false when the budget is spent. */
  tryWithdraw(): boolean;
  /** Tokens available now (for tests and metrics). */
  available(): number;
}

export function createRetryBudget(settings: Partial<RetryBudgetSettings> = {}): RetryBudget {
  const ratio = settings.ratio ?? 0.1;
  const maxTokens = settings.maxTokens ?? 10;
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`retry budget ratio must be in [0,1], got ${ratio}`);
  if (!(maxTokens >= 0)) throw new RangeError(`retry budget maxTokens must be >= 0, got ${maxTokens}`);
  let tokens = maxTokens;
  return {
    deposit() {
      tokens = Math.min(maxTokens, tokens + ratio);
    },
    tryWithdraw() {
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    available: () => tokens,
  };
}

/**
 * Delay before retry number `attempt` (0-based): the upstream's Retry-After when it gave one
 * (never earlier), else full-jitter exponential backoff `random() * min(capMs, baseMs * 2^attempt)`.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, options: { baseMs?: number; capMs?: number; random?: () => number } = {}): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return retryAfterMs;
  const base = options.baseMs ?? 50;
  const cap = options.capMs ?? 1000;
  return Math.floor((options.random ?? Math.random)() * Math.min(cap, base * 2 ** attempt));
}
