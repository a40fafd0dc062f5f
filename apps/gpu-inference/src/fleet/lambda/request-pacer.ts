// Client-side pacing for the Lambda Cloud API's rate limits: every request at least
// `intervalMs` after the previous one (about 1 request/s), launches at least `launchIntervalMs`
// apart (about 1 per 10 s). Callers queue in order; the queue length is observable.

/** Options for createRequestPacer. */
export interface RequestPacerOptions {
  /** @default 1000 */
  readonly intervalMs?: number;
  /** @default 10000 */
  readonly launchIntervalMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A FIFO gate in front of the API. */
export interface RequestPacer {
  /** Resolves when the caller may send; `launch` requests also respect the launch spacing. */
  wait(kind: 'request' | 'launch'): Promise<void>;
  /** Callers waiting now. */
  readonly queued: number;
}

/** Creates a pacer; time and sleep are injectable for tests. */
export function createRequestPacer(options: RequestPacerOptions = {}): RequestPacer {
  const intervalMs = options.intervalMs ?? 1000;
  const launchIntervalMs = options.launchIntervalMs ?? 10_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let lastRequest = Number.NEGATIVE_INFINITY;
  let lastLaunch = Number.NEGATIVE_INFINITY;
  let tail: Promise<void> = Promise.resolve();
  let queued = 0;
  return {
    get queued() {
      return queued;
    },
    wait(kind) {
      queued += 1;
      const turn = tail.then(async () => {
        const earliest = Math.max(lastRequest + intervalMs, kind === 'launch' ? lastLaunch + launchIntervalMs : Number.NEGATIVE_INFINITY);
        const delay = earliest - now();
        if (delay > 0) await sleep(delay);
        lastRequest = now();
        if (kind === 'launch') lastLaunch = lastRequest;
        queued -= 1;
      });
      tail = turn;
      return turn;
    },
  };
}
