import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits that end early when a request is abandoned or the simulator closes, so no timer outlives its
 * request and `close()` never waits for a stall to run out.
 */

/** Sleeps `ms` milliseconds; resolves false (without throwing) if `signal` aborts first. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Waits until `signal` aborts ("forever" stalls and the silent fault). */
export function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
