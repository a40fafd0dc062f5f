import CircuitBreaker from 'opossum';
import { Gauge, Counter, type Registry } from 'prom-client';
import { isBackendFailure } from '@sophia/platform/wire';
import { ROUTER_DEFAULTS } from './router-config.ts';

/** Breaker thresholds; their defaults are the SOPHIA_BREAKER_* keys' in router-config.ts (docs/configuration.md). */
export interface BreakerSettings {
  /** Failures within the rolling window needed before the breaker may open (SOPHIA_BREAKER_VOLUME_THRESHOLD). */
  readonly volumeThreshold: number;
  /** Failure percentage (of the window) that opens the breaker (SOPHIA_BREAKER_ERROR_PERCENT). */
  readonly errorThresholdPercentage: number;
  /** How long an open breaker waits before a half-open probe (SOPHIA_BREAKER_RESET_MS). */
  readonly resetTimeoutMs: number;
  /** Rolling statistics window (SOPHIA_BREAKER_WINDOW_MS). */
  readonly rollingWindowMs: number;
  /**
   * Failures in a row (before the first token: no stream opened in between; after it: no complete
   * answer in between) that open the breaker at once, provided the last `failingForMs` holds at
   * least that many failures making up `errorThresholdPercentage` of its outcomes.
   * @default SOPHIA_BREAKER_FAST_FAILURES's default
   */
  readonly fastFailures?: number;
  /** The fast window; also, ≥ 2 failures in a row spanning this long open the breaker. @default SOPHIA_BREAKER_FAILING_FOR_MS's default */
  readonly failingForMs?: number;
  readonly clock?: () => number;
  /** Told of every state change (the router records them in its breaker history). */
  readonly onTransition?: (target: string, from: BreakerState, to: BreakerState, atMs: number) => void;
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
  /** Failures since the last stream that opened. */
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
 * `fastFailures` failures in a row that also make up at least `errorThresholdPercentage` of the last
 * `failingForMs`, ≥ 2 failures in a row spanning `failingForMs`, or opossum's rolling-window
 * rule (volumeThreshold, errorThresholdPercentage over rollingWindowMs). Failures after the first
 * token count too (`recordFailure`): an upstream whose streams open and then always break is at
 * 50 % failures and is cut off at its 3rd break. States are exported as a gauge (0 closed,
 * 1 half-open, 2 open) and transitions as a counter.
 */
export function createTargetBreakers(settings: BreakerSettings, registry?: Registry): TargetBreakers {
  const breakers = new Map<string, CircuitBreaker<[Thunk], unknown>>();
  const clock = settings.clock ?? Date.now;
  const fastFailures = settings.fastFailures ?? ROUTER_DEFAULTS.SOPHIA_BREAKER_FAST_FAILURES;
  const failingForMs = settings.failingForMs ?? ROUTER_DEFAULTS.SOPHIA_BREAKER_FAILING_FOR_MS;
  // Per target: recent outcomes (for the fast rule), the current run of failures without a stream
  // that opened (for the slow rule and the admin view), and the last state change.
  type Track = { outcomes: Array<{ at: number; failed: boolean }>; run: number; midRun: number; firstAt: number; changedAt: number; inFlight: number };
  const tracks = new Map<string, Track>();
  const trackOf = (target: string): Track => {
    let t = tracks.get(target);
    if (!t) tracks.set(target, (t = { outcomes: [], run: 0, midRun: 0, firstAt: 0, changedAt: 0, inFlight: 0 }));
    return t;
  };
  const note = (t: Track, now: number, failed: boolean): void => {
    t.outcomes.push({ at: now, failed });
    while (t.outcomes.length > 0 && (now - t.outcomes[0]!.at > failingForMs || t.outcomes.length > 1000)) t.outcomes.shift();
  };
  /**
   * Adds a backend failure. Opens the breaker on `fastFailures` failures in a row that are also at
   * least the error percentage of the last `failingForMs` (a dead upstream: at the 3rd failure), or
   * when ≥ 2 failures in a row span `failingForMs` (a slow or quiet dead upstream).
   * A 30 % random failure rate under load trips neither, so it is handled by fallback, not by
   * moving all traffic away.
   */
  const noteFailure = (target: string, breaker: CircuitBreaker<[Thunk], unknown>, midStream: boolean): void => {
    const now = clock();
    const t = trackOf(target);
    note(t, now, true);
    if (midStream) t.midRun += 1;
    if (t.run === 0 || now - t.firstAt > settings.rollingWindowMs) {
      t.run = 0;
      t.firstAt = now;
    }
    t.run += 1;
    const failures = t.outcomes.filter((o) => o.failed).length;
    // In a row (no stream opened, or for breaks no complete answer, in between) AND a failing share
    // of the recent outcomes: a streak alone trips on random failures under load.
    const streak = t.run >= fastFailures || t.midRun >= fastFailures;
    // Calls still opening count as not failed: failures come back faster than successes, so a burst
    // of concurrent calls would otherwise look like a failing streak.
    const fast = streak && failures >= fastFailures && (failures / (t.outcomes.length + t.inFlight)) * 100 >= settings.errorThresholdPercentage;
    const slow = t.run >= 2 && now - t.firstAt >= failingForMs;
    if ((fast || slow) && !breaker.opened) breaker.open();
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
    let current: BreakerState = 'closed';
    const report = (to: BreakerState): void => {
      const at = clock();
      trackOf(target).changedAt = at;
      if (to !== current) settings.onTransition?.(target, current, to, at);
      current = to;
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
      const t = trackOf(target);
      t.inFlight += 1;
      try {
        const value = (await breaker.fire(action)) as T;
        t.inFlight -= 1;
        note(t, clock(), false);
        t.run = 0;
        return value;
      } catch (err) {
        t.inFlight -= 1;
        if ((err as { code?: string }).code === 'EOPENBREAKER') throw new BreakerOpenError(target);
        if (isBackendFailure(err)) noteFailure(target, breaker, false);
        throw err;
      }
    },
    recordFailure(target, err) {
      if (isBackendFailure(err)) noteFailure(target, get(target), true);
    },
    recordSuccess(target) {
      const t = tracks.get(target);
      if (t) t.run = t.midRun = 0;
    },
    snapshot: () =>
      [...breakers].map(([target, b]) => {
        const stats = b.stats;
        const t = trackOf(target);
        return { target, state: stateOf(b), consecutiveFailures: t.run, fires: stats.fires, failures: stats.failures, rejects: stats.rejects, changedAt: t.changedAt };
      }),
    state: (target) => {
      const b = breakers.get(target);
      return b ? stateOf(b) : 'closed';
    },
    states: () => Object.fromEntries([...breakers].map(([t, b]) => [t, stateOf(b)])),
    shutdown: () => {
      for (const b of breakers.values()) b.shutdown();
      breakers.clear();
      tracks.clear();
    },
  };
}
