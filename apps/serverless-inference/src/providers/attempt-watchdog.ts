/**
 * The clock and timers an attempt's watchdog runs on. Injectable so a test can make a check fire
 * late, with the provider's answers still unread, and prove the check is deferred — not judged on
 * stale state.
 */
export interface WatchdogScheduler {
  now(): number;
  /** Calls `fn` after `ms` without keeping the process alive; returns its cancel. */
  after(ms: number, fn: () => void): () => void;
  /** Calls `fn` once the network input already pending has been read (after the poll phase); returns its cancel. */
  afterPendingIo(fn: () => void): () => void;
}

/** Node's timers: `setTimeout` (unref'd) and `setImmediate`, which runs after the event loop's poll phase. */
export const nodeWatchdogScheduler: WatchdogScheduler = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
  afterPendingIo(fn) {
    const immediate = setImmediate(fn);
    return () => clearImmediate(immediate);
  },
};

/** What a watchdog concluded: `give` (its own verdict, e.g. silent or late) or `lost`. */
export type WatchdogVerdict<Give extends string> = Give | 'lost';

/** Options of {@link watchAttempt}. */
export interface WatchAttemptOptions<Give extends string> {
  readonly scheduler: WatchdogScheduler;
  /** The sliding window: a sign of life within the last `windowMs` keeps the request waiting. */
  readonly windowMs: number;
  /** When the attempt was sent (epoch ms on the scheduler's clock). */
  readonly startedAt: number;
  /** The provider's latest sign of life for any request (epoch ms; 0 = never). */
  readonly lastSign: () => number;
  /** Send time of the newest request whose answer the provider has started (0 = no "lost" rule). */
  readonly newerServedSentAt: () => number;
  /** The verdict when no sign of life fell within the window. */
  readonly give: Give;
  /** Called once, with the verdict, when the attempt should be left. */
  readonly onVerdict: (verdict: WatchdogVerdict<Give>) => void;
}

/**
 * Watches one attempt: every window (re-checking at a quarter of it), asks "is this provider
 * working at all?" and calls `onVerdict` once when it is not — no sign of life for anyone within the
 * last window, or (`lost`) it started answers of requests sent a whole window after this one.
 *
 * A judgement is only as fresh as the I/O this process has read: in a saturated process (a burst
 * through one event loop) a timer fires late, with the provider's answers still unread. So each
 * check runs after pending input is read, and a check that fired more than half a window late
 * judges nothing — this process is behind, not the provider — and looks again shortly. The caller's
 * hard caps (configured first-token timeout, the router's bound) still limit the wait.
 * Returns the stop function.
 */
export function watchAttempt<Give extends string>(options: WatchAttemptOptions<Give>): () => void {
  const { scheduler, windowMs, startedAt } = options;
  const recheckMs = Math.max(50, Math.ceil(windowMs / 4));
  let cancel: () => void = () => undefined;
  let stopped = false;
  const judge = (dueAt: number): void => {
    if (stopped) return;
    const now = scheduler.now();
    const late = now - dueAt > windowMs / 2;
    const lost = options.newerServedSentAt() > startedAt + windowMs;
    if (!lost && (late || options.lastSign() > now - windowMs)) return arm(recheckMs);
    stopped = true;
    options.onVerdict(lost ? 'lost' : options.give);
  };
  const arm = (ms: number): void => {
    const dueAt = scheduler.now() + ms;
    cancel = scheduler.after(ms, () => {
      cancel = scheduler.afterPendingIo(() => judge(dueAt));
    });
  };
  arm(windowMs);
  return () => {
    stopped = true;
    cancel();
  };
}
