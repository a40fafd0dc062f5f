/** Options for {@link startRefreshLoop}. */
export interface RefreshLoopOptions {
  /** Loads and draws once; rejects on failure. */
  readonly load: (signal: AbortSignal) => Promise<void>;
  /** Pause between successful loads. */
  readonly everyMs: number;
  /** Longest pause after repeated failures. @default 10 minutes */
  readonly maxBackoffMs?: number;
  /** Told about each failure (and undefined once a load succeeds again). */
  readonly onError?: (err: unknown) => void;
}

/**
 * Loads now and again every `everyMs` while the tab is visible: a hidden tab makes no requests (the
 * loop resumes with a load when it is shown again), failures back off exponentially, and a load
 * never overlaps the previous one. Returns the stop function.
 */
export function startRefreshLoop(options: RefreshLoopOptions): () => void {
  const maxBackoff = options.maxBackoffMs ?? 600_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: AbortController | undefined;
  let failures = 0;
  let stopped = false;

  const schedule = (ms: number): void => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), ms);
  };
  async function run(): Promise<void> {
    timer = undefined;
    if (stopped || document.hidden || running) return;
    running = new AbortController();
    try {
      await options.load(running.signal);
      failures = 0;
      options.onError?.(undefined);
    } catch (err) {
      if (running.signal.aborted) return;
      failures += 1;
      options.onError?.(err);
    } finally {
      running = undefined;
    }
    if (!stopped && !document.hidden) schedule(failures === 0 ? options.everyMs : Math.min(maxBackoff, options.everyMs * 2 ** failures));
  }
  const onVisibility = (): void => {
    if (document.hidden) clearTimeout(timer);
    else if (!running) void run();
  };
  document.addEventListener('visibilitychange', onVisibility);
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
    running?.abort();
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
