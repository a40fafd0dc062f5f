// Keeps the embedded store flat: prunes raw usage events (their idempotency keys with them), expired
// reservations and long-past spend rows once at start and then hourly. A failed prune is logged and
// retried at the next tick; it never affects serving.

/** What retention needs of the store. */
export interface PrunableStore {
  prune(nowMs: number, retentionMs: number): number;
}

/** Options for scheduleRetention. */
export interface RetentionOptions {
  readonly store: PrunableStore;
  readonly retentionMs: number;
  readonly logger: { info(details: object, message: string): void; error(details: object, message: string): void };
  /** @default 3_600_000 */
  readonly everyMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** Prunes now and every `everyMs`; returns the function that stops it. */
export function scheduleRetention(options: RetentionOptions): () => void {
  const clock = options.clock ?? Date.now;
  const prune = (): void => {
    try {
      const removed = options.store.prune(clock(), options.retentionMs);
      if (removed > 0) options.logger.info({ removed, retentionMs: options.retentionMs }, 'usage retention: raw events pruned');
    } catch (error) {
      options.logger.error({ err: (error as Error).message }, 'usage retention: prune failed (retried next hour)');
    }
  };
  prune();
  const timer = setInterval(prune, options.everyMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
