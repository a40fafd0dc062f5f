/** Options for {@link watchParent}. */
export interface WatchParentOptions {
  /** How often to look. @default 500 */
  readonly intervalMs?: number;
  /** The parent pid now (injectable for tests). @default () => process.ppid */
  readonly ppid?: () => number;
}

/**
 * Calls `onGone` once when this process's parent exits (it is re-parented, so its ppid changes).
 * `npm start` needs it: npm 11 exits on SIGTERM without passing the signal to the script it runs, and
 * an orchestrator that stops `npm start` would otherwise leave the whole mesh running, holding its ports.
 * Returns a function that stops watching. The timer does not keep the process alive.
 */
export function watchParent(onGone: () => void, options: WatchParentOptions = {}): () => void {
  const ppid = options.ppid ?? (() => process.ppid);
  const parent = ppid();
  const timer = setInterval(() => {
    if (ppid() === parent) return;
    clearInterval(timer);
    onGone();
  }, options.intervalMs ?? 500);
  timer.unref();
  return () => clearInterval(timer);
}
