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
  /** Consecutive failures (before or after the first token) that open the breaker at once. @default 3 */
  readonly consecutiveFailures?: number;
  /** A run of at least two failures without a success spanning this long opens the breaker. @default 1000 */
  readonly failingForMs?: number;
  readonly clock?: () => number;
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
  /**
   * A failure the breaker could not see through `fire` (a stream that broke after its first event).
   * Counts toward the consecutive-failure rule; ignored unless it is a backend failure.
   */
  recordFailure(target: string, err: unknown): void;
  /** A complete answer: ends the target's failure run. */
  recordSuccess(target: string): void;
  /** Details per target for the admin view and tests. */
  snapshot(): BreakerSnapshot[];
  shutdown(): void;
}

/**
 * Clears opossum's rolling window when a breaker closes: otherwise the failures that opened it are
 * still in the window and the first failure after recovery reopens it at once (flapping). opossum
 * has no public reset; `status.window` hands out its live buckets (guarded by a test).
 */
function forgetWindow(breaker: CircuitBreaker<[Thunk], unknown>): void {
  for (const bucket of breaker.status.window as unknown as Array<Record<string, unknown>>) {
    for (const key of Object.keys(bucket)) if (typeof bucket[key] === 'number') bucket[key] = 0;
  }
}

/** One breaker as the admin RPC shows it. */
export interface BreakerSnapshot {
  readonly target: string;
  readonly state: BreakerState;
  /** Failures in a row (to open, or after the first token since the last complete answer). */
  readonly consecutiveFailures: number;
  /** Opossum's rolling-window counts. */
  readonly fires: number;
  readonly failures: number;
  readonly rejects: number;
  /** Epoch ms of the last state change (0 = never changed). */
  readonly changedAt: number;
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
 * request or cancellation never opens a breaker. A breaker opens on whichever comes first:
 * opossum's rolling-window rule (volumeThreshold, errorThresholdPercentage), `consecutiveFailures`
 * failures in a row, or a failure run lasting `failingForMs`. A stream that opens ends a run of
 * failures to open; failures after the first token (`recordFailure`) also count, in a run that only
 * a complete answer (`recordSuccess`) ends, so an upstream that always breaks mid-stream is cut off
 * although its streams open fine. States are exported as a gauge
 * (0 closed, 1 half-open, 2 open) and transitions as a counter.
 */
export function createTargetBreakers(settings: BreakerSettings, registry?: Registry): TargetBreakers {
  const breakers = new Map<string, CircuitBreaker<[Thunk], unknown>>();
  const clock = settings.clock ?? Date.now;
  const consecutiveLimit = settings.consecutiveFailures ?? 3;
  const failingForMs = settings.failingForMs ?? 1000;
  /** Per target: the current failure run (count, first and last failure time) and last transition. */
  // count: failures since the last stream that opened or completed; midStream: failures after the
  // first token since the last complete answer (so an upstream whose streams always open and then
  // break is still cut off, while concurrent slow successes do not let fast failures pile up).
  type Run = { count: number; midStream: number; firstAt: number; lastAt: number; changedAt: number };
  const runs = new Map<string, Run>();
  const runOf = (target: string): Run => {
    let r = runs.get(target);
    if (!r) runs.set(target, (r = { count: 0, midStream: 0, firstAt: 0, lastAt: 0, changedAt: 0 }));
    return r;
  };
  /** Adds a backend failure to the run; opens the breaker on N in a row or a run lasting failingForMs. */
  const noteFailure = (target: string, breaker: CircuitBreaker<[Thunk], unknown>, midStream: boolean): void => {
    const now = clock();
    const r = runOf(target);
    // A run whose last failure is older than the rolling window is stale: start a new one.
    if (now - r.lastAt > settings.rollingWindowMs) r.count = r.midStream = 0;
    if (r.count === 0) r.firstAt = now;
    r.count += 1;
    if (midStream) r.midStream += 1;
    r.lastAt = now;
    const tooMany = r.count >= consecutiveLimit || r.midStream >= consecutiveLimit;
    const tooLong = r.count >= 2 && now - r.firstAt >= failingForMs;
    if ((tooMany || tooLong) && !breaker.opened) breaker.open();
  };
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
      runOf(target).changedAt = clock();
      stateGauge?.set({ target }, to === 'closed' ? 0 : to === 'half_open' ? 1 : 2);
      transitions?.inc({ target, to });
    };
    breaker.on('open', () => report('open'));
    breaker.on('halfOpen', () => report('half_open'));
    breaker.on('close', () => {
      forgetWindow(breaker);
      report('closed');
    });
    stateGauge?.set({ target }, 0);
    breakers.set(target, breaker);
    return breaker;
  };
  return {
    async fire<T>(target: string, action: () => Promise<T>): Promise<T> {
      const breaker = get(target);
      try {
        const value = (await breaker.fire(action)) as T;
        runOf(target).count = 0;
        return value;
      } catch (err) {
        if ((err as { code?: string }).code === 'EOPENBREAKER') throw new BreakerOpenError(target);
        if (isBackendFailure(err)) noteFailure(target, breaker, false);
        throw err;
      }
    },
    recordFailure(target, err) {
      if (isBackendFailure(err)) noteFailure(target, get(target), true);
    },
    recordSuccess(target) {
      const r = runs.get(target);
      if (r) r.count = r.midStream = 0;
    },
    snapshot: () =>
      [...breakers].map(([target, b]) => {
        const stats = b.stats;
        const r = runOf(target);
        return { target, state: stateOf(b), consecutiveFailures: Math.max(r.count, r.midStream), fires: stats.fires, failures: stats.failures, rejects: stats.rejects, changedAt: r.changedAt };
      }),
    state: (target) => {
      const b = breakers.get(target);
      return b ? stateOf(b) : 'closed';
    },
    states: () => Object.fromEntries([...breakers].map(([t, b]) => [t, stateOf(b)])),
    shutdown: () => {
      for (const b of breakers.values()) b.shutdown();
      breakers.clear();
      runs.clear();
    },
  };
}
