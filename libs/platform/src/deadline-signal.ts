/** A signal that aborts with its parent or at a deadline, and the function that lets it go. */
export interface DeadlineSignal {
  readonly signal: AbortSignal;
  /** Clears the timer and unhooks from the parent; call when the call it guards has ended. */
  dispose(): void;
}

/**
 * `AbortSignal.any([parent, AbortSignal.timeout(ms)])` without its cost: a timeout signal that has a
 * listener is kept alive by Node until it fires, with everything its listeners reach (the call's
 * closures, contexts and spans) — for the whole deadline (2 minutes at the gateway), i.e. thousands
 * of finished requests under load. This one is released by `dispose()` as soon as the call ends.
 * The abort reason is the parent's, or a TimeoutError DOMException, as with AbortSignal.timeout.
 */
export function deadlineSignal(parent: AbortSignal, ms: number): DeadlineSignal {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent.reason);
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), Math.max(0, ms));
  timer.unref();
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}
