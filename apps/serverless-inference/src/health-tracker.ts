/** Options for {@link createHealthTracker}. */
export interface HealthTrackerOptions {
  /** Consecutive backend failures that make the endpoint unhealthy. @default 3 */
  failureThreshold?: number;
  /** After this long without a new failure an unhealthy endpoint is reported healthy again. @default 30000 */
  recoverAfterMs?: number;
  now?: () => number;
}

/** Health of a provider endpoint, judged from the outcomes of real requests. */
export interface HealthTracker {
  success(): void;
  failure(message: string): void;
  healthy(): boolean;
  /** Last failure message while unhealthy; empty when healthy. */
  lastError(): string;
}

/**
 * Judges a serverless provider's health passively (there is no cheap health endpoint shared by
 * providers, and probing a paid API costs money): N consecutive backend failures mark it
 * unhealthy, one success or a quiet period restores it.
 */
export function createHealthTracker(options: HealthTrackerOptions = {}): HealthTracker {
  const threshold = options.failureThreshold ?? 3;
  const recoverAfterMs = options.recoverAfterMs ?? 30_000;
  const now = options.now ?? Date.now;
  let consecutive = 0;
  let lastFailureAt = 0;
  let lastMessage = '';
  const healthy = (): boolean => consecutive < threshold || now() - lastFailureAt >= recoverAfterMs;
  return {
    success() {
      consecutive = 0;
      lastMessage = '';
    },
    failure(message) {
      consecutive += 1;
      lastFailureAt = now();
      lastMessage = message;
    },
    healthy,
    lastError: () => (healthy() ? '' : lastMessage),
  };
}
