import CircuitBreaker from 'opossum';
import { Gauge, Counter, type Registry } from 'prom-client';
import { isBackendFailure } from './backend-failure.ts';

/** Breaker thresholds; see docs/configuration.md. */
export interface BreakerSettings {
  /** Failures within the rolling window needed before the breaker may open. @default 3 */
  readonly volumeThreshold: number;
  /** Failure percentage (of the window) that opens the breaker. @default 50 */
  readonly errorThresholdPercentage: number;
  /** How long an open breaker waits before a half-open probe. @default 5000 */
  readonly resetTimeoutMs: number;
  /** Rolling statistics window. @default 10000 */
  readonly rollingWindowMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

type Thunk = () => Promise<unknown>;

/** One opossum breaker per upstream target ("serverless:<model>", "gpu:<model>"). */
export interface TargetBreakers {
  /** Runs `action` through the target's breaker; rejects at once when it is open. */
  fire<T>(target: string, action: () => Promise<T>): Promise<T>;
  state(target: string): BreakerState;
  /** Every breaker seen so far, for the admin view. */
  states(): Record<string, BreakerState>;
  shutdown(): void;
}

/** Error thrown when a breaker refuses a call; carries the target for the client message. */
export class BreakerOpenError extends Error {
  readonly target: string;
  constructor(target: string) {
    super(`circuit breaker for ${target} is open`);
    this.name = 'BreakerOpenError';
    this.target = target;
  }
}

/**
 * Creates the breaker set. Only backend failures (see isBackendFailure) count; a client's bad
 * request or cancellation never opens a breaker. States are exported as a gauge
 * (0 closed, 1 half-open, 2 open) and transitions as a counter.
 */
export function createTargetBreakers(settings: BreakerSettings, registry?: Registry): TargetBreakers {
  const breakers = new Map<string, CircuitBreaker<[Thunk], unknown>>();
  const stateGauge = registry
    ? new Gauge({ name: 'router_breaker_state', help: 'Breaker state per target: 0 closed, 1 half-open, 2 open.', labelNames: ['target'], registers: [registry] })
    : undefined;
  const transitions = registry
    ? new Counter({ name: 'router_breaker_transitions_total', help: 'Breaker state changes.', labelNames: ['target', 'to'], registers: [registry] })
    : undefined;
  const stateOf = (b: CircuitBreaker<[Thunk], unknown>): BreakerState => (b.opened ? 'open' : b.halfOpen ? 'half_open' : 'closed');
  const get = (target: string): CircuitBreaker<[Thunk], unknown> => {
    let b = breakers.get(target);
    if (b) return b;
    b = new CircuitBreaker((thunk: Thunk) => thunk(), {
      timeout: false,
      volumeThreshold: settings.volumeThreshold,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      resetTimeout: settings.resetTimeoutMs,
      rollingCountTimeout: settings.rollingWindowMs,
      rollingCountBuckets: 10,
      // true = "not a failure": client errors and cancellations must not open the breaker.
      errorFilter: (err: unknown) => !isBackendFailure(err),
    });
    const breaker = b;
    const report = (to: BreakerState): void => {
      stateGauge?.set({ target }, to === 'closed' ? 0 : to === 'half_open' ? 1 : 2);
      transitions?.inc({ target, to });
    };
    breaker.on('open', () => report('open'));
    breaker.on('halfOpen', () => report('half_open'));
    breaker.on('close', () => report('closed'));
    stateGauge?.set({ target }, 0);
    breakers.set(target, breaker);
    return breaker;
  };
  return {
    async fire<T>(target: string, action: () => Promise<T>): Promise<T> {
      const breaker = get(target);
      try {
        return (await breaker.fire(action)) as T;
      } catch (err) {
        if ((err as { code?: string }).code === 'EOPENBREAKER') throw new BreakerOpenError(target);
        throw err;
      }
    },
    state: (target) => {
      const b = breakers.get(target);
      return b ? stateOf(b) : 'closed';
    },
    states: () => Object.fromEntries([...breakers].map(([t, b]) => [t, stateOf(b)])),
    shutdown: () => {
      for (const b of breakers.values()) b.shutdown();
      breakers.clear();
    },
  };
}
