/** Thrown when a gate's queue is full: the upstream is busy, try another one or tell the caller to retry. */
export class GateBusyError extends Error {
  override readonly name = 'GateBusyError';
  readonly gate: string;
  /** A hint for `retry-after`: the mean time a slot took to free up recently, at least 1 s. */
  readonly retryAfterMs: number;
  constructor(gate: string, retryAfterMs: number) {
    super(`${gate} is busy: its in-flight limit and queue are full`);
    this.gate = gate;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Thrown when a queued request's wait budget (its deadline) ran out before a slot freed up. */
export class GateWaitTimeoutError extends Error {
  override readonly name = 'GateWaitTimeoutError';
  readonly gate: string;
  readonly waitedMs: number;
  constructor(gate: string, waitedMs: number) {
    super(`${gate} is busy: no free slot within ${waitedMs} ms`);
    this.gate = gate;
    this.waitedMs = waitedMs;
  }
}

/** Options for {@link createAdmissionGate}. */
export interface AdmissionGateOptions {
  /** Name used in errors (provider or endpoint). */
  readonly name: string;
  /** Requests in flight at once; 0 = unlimited. */
  readonly limit: number;
  /** Requests allowed to wait for a slot; beyond it `acquire` fails at once with GateBusyError. */
  readonly queueLimit: number;
  /** Told how long each admitted request waited (0 when it got a slot at once). */
  readonly onWait?: (ms: number) => void;
  readonly now?: () => number;
}

/** A slot holder's handle: call once when the request ends (idempotent). */
export type GateRelease = () => void;

/** An explicit in-flight limit with a visible FIFO queue. */
export interface AdmissionGate {
  /**
   * A slot, at once or after waiting in the queue; rejects with GateBusyError when the queue is
   * full, GateWaitTimeoutError after `maxWaitMs`, or the signal's reason when it aborts.
   */
  acquire(signal?: AbortSignal, maxWaitMs?: number): Promise<GateRelease>;
  inFlight(): number;
  /** Requests waiting for a slot now. */
  depth(): number;
}

interface Waiter {
  readonly grant: (release: GateRelease) => void;
  readonly fail: (err: unknown) => void;
  readonly enqueuedAt: number;
}

/**
 * Bounds the requests one upstream (a provider or a GPU endpoint) serves at once, instead of a
 * connection pool's hidden queue: a waiting request is counted (depth), timed (wait), bounded by
 * its own deadline, and a full queue is an immediate, typed "busy" the caller can act on (another
 * provider, or 429/503 with retry-after) — never a silent wait.
 */
export function createAdmissionGate(options: AdmissionGateOptions): AdmissionGate {
  const now = options.now ?? Date.now;
  const queue: Waiter[] = [];
  let running = 0;
  let meanHoldMs = 1000;

  const releaseFor = (startedAt: number): GateRelease => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      meanHoldMs = meanHoldMs * 0.9 + Math.max(0, now() - startedAt) * 0.1;
      running -= 1;
      const next = queue.shift();
      if (next !== undefined) {
        running += 1;
        options.onWait?.(now() - next.enqueuedAt);
        next.grant(releaseFor(now()));
      }
    };
  };

  return {
    acquire(signal, maxWaitMs) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (options.limit <= 0 || running < options.limit) {
        running += 1;
        options.onWait?.(0);
        return Promise.resolve(releaseFor(now()));
      }
      if (queue.length >= options.queueLimit) return Promise.reject(new GateBusyError(options.name, Math.max(1000, Math.round(meanHoldMs))));
      return new Promise<GateRelease>((resolve, reject) => {
        const enqueuedAt = now();
        let timer: NodeJS.Timeout | undefined;
        const leave = (): void => {
          const i = queue.indexOf(waiter);
          if (i >= 0) queue.splice(i, 1);
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        };
        const onAbort = (): void => {
          leave();
          reject(signal?.reason);
        };
        const waiter: Waiter = {
          enqueuedAt,
          grant: (release) => {
            leave();
            resolve(release);
          },
          fail: reject,
        };
        queue.push(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
        if (maxWaitMs !== undefined && Number.isFinite(maxWaitMs)) {
          timer = setTimeout(() => {
            leave();
            reject(new GateWaitTimeoutError(options.name, now() - enqueuedAt));
          }, Math.max(0, maxWaitMs));
          timer.unref();
        }
      });
    },
    inFlight: () => running,
    depth: () => queue.length,
  };
}
