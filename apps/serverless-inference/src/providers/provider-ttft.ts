import { createTtftLimits, type TtftLimits, type TtftTargetView } from '@sophia/ttft-limits';

/** Bounds of the learned per-provider first-token limits (docs/configuration.md, "Time to first token"). */
export interface ProviderTtftOptions {
  /** Failover budget (silence watchdog) bounds: SOPHIA_SERVERLESS_FAILOVER_FIRST_TOKEN_MIN_MS … _MS. */
  readonly failoverMinMs: number;
  readonly failoverMaxMs: number;
  /** First-token timeout bounds: SOPHIA_SERVERLESS_FIRST_TOKEN_MIN_MS … SOPHIA_SERVERLESS_FIRST_TOKEN_TIMEOUT_MS. */
  readonly firstTokenMinMs: number;
  readonly firstTokenMaxMs: number;
  readonly now?: () => number;
}

/** Each provider's learned first-token figures, as the failover loop uses them. */
export interface ProviderTtft {
  /** How long a provider may stay completely silent before the next provider is tried. */
  failoverBudgetMs(provider: string): number;
  /** The provider's first-token timeout for one call. */
  firstTokenLimitMs(provider: string): number;
  observe(provider: string, ms: number): void;
  /** A call hit its first-token limit after `ms` (the provider is slower than it was). */
  censored(provider: string, ms: number): void;
  view(provider: string): { failover: TtftTargetView; firstToken: TtftTargetView };
}

/**
 * Two limits learned from the same samples: the failover budget (4 × p99 within tight bounds, so a
 * silent provider is left within about a second) and the first-token timeout (4 × p99 within wide
 * bounds, for a provider that answers others but not this request). Only the timeout learns from
 * censored samples: silence says nothing about speed.
 */
export function createProviderTtft(options: ProviderTtftOptions): ProviderTtft {
  const now = options.now ? { now: options.now } : {};
  // A configured maximum below the default minimum (short timeouts in a test mesh) wins: it is the operator's.
  const failover: TtftLimits = createTtftLimits({ minMs: Math.min(options.failoverMinMs, options.failoverMaxMs), maxMs: options.failoverMaxMs, ...now });
  const firstToken: TtftLimits = createTtftLimits({ minMs: Math.min(options.firstTokenMinMs, options.firstTokenMaxMs), maxMs: options.firstTokenMaxMs, ...now });
  return {
    failoverBudgetMs: (p) => failover.limitMs(p),
    firstTokenLimitMs: (p) => firstToken.limitMs(p),
    observe(p, ms) {
      failover.observe(p, ms);
      firstToken.observe(p, ms);
    },
    censored: (p, ms) => firstToken.observeCensored(p, ms),
    view: (p) => ({ failover: failover.view(p), firstToken: firstToken.view(p) }),
  };
}
