/** Options for {@link startLiveStream}. */
export interface LiveStreamOptions<T> {
  /** Opens the server stream. */
  readonly open: (signal: AbortSignal) => AsyncIterable<T>;
  readonly onMessage: (message: T) => void;
  /** Told about each failure (and undefined when a message arrives again). */
  readonly onError?: (err: unknown) => void;
  /** Longest wait before reconnecting after repeated failures. @default 5 minutes */
  readonly maxBackoffMs?: number;
}

/**
 * Keeps one server stream open while the tab is visible: closed when the tab is hidden (no traffic
 * from an idle tab), reopened when shown, reconnected with exponential backoff after failures.
 * Returns the stop function.
 */
export function startLiveStream<T>(options: LiveStreamOptions<T>): () => void {
  const maxBackoff = options.maxBackoffMs ?? 300_000;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let stopped = false;

  async function connect(): Promise<void> {
    timer = undefined;
    if (stopped || document.hidden || controller) return;
    const mine = new AbortController();
    controller = mine;
    try {
      for await (const message of options.open(mine.signal)) {
        failures = 0;
        options.onError?.(undefined);
        options.onMessage(message);
      }
      failures = 0;
    } catch (err) {
      if (mine.signal.aborted) return;
      failures += 1;
      options.onError?.(err);
    } finally {
      if (controller === mine) controller = undefined;
    }
    if (!stopped && !document.hidden) timer = setTimeout(() => void connect(), Math.min(maxBackoff, 1000 * 2 ** failures));
  }
  const onVisibility = (): void => {
    if (document.hidden) {
      clearTimeout(timer);
      controller?.abort();
      controller = undefined;
    } else void connect();
  };
  document.addEventListener('visibilitychange', onVisibility);
  void connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    controller?.abort();
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
