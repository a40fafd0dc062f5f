// Keeps the embedded store flat: compacts raw usage events older than the raw window into per-bucket
// summaries (usage-compaction.ts; their idempotency keys go with them), then prunes what is past the
// retention window, expired reservations and long-past spend rows — once at start, then every
// bucket (at most hourly). Compaction runs in bounded batches, yielding to the event loop between
// them, so serving never waits long behind it. A failed run is logged and retried at the next tick;
// it never affects serving.

/** What retention needs of the store. */
export interface PrunableStore {
  prune(nowMs: number, retentionMs: number): number | Promise<number>;
  compact(nowMs: number, rawMs: number, bucketMs: number, maxEvents?: number): number | Promise<number>;
}

/** The windows of the ledger's configuration, in milliseconds. */
export function retentionWindows(config: { SOPHIA_USAGE_RETENTION_DAYS: number; SOPHIA_USAGE_RAW_HOURS: number; SOPHIA_USAGE_BUCKET_MINUTES: number }): {
  retentionMs: number;
  rawMs: number;
  bucketMs: number;
} {
  return {
    retentionMs: config.SOPHIA_USAGE_RETENTION_DAYS * 86_400_000,
    rawMs: Math.round(config.SOPHIA_USAGE_RAW_HOURS * 3_600_000),
    bucketMs: config.SOPHIA_USAGE_BUCKET_MINUTES * 60_000,
  };
}

/** Options for scheduleRetention. */
export interface RetentionOptions {
  readonly store: PrunableStore;
  readonly retentionMs: number;
  /** Raw events younger than this stay as they are (and their request ids guard against a retried commit). */
  readonly rawMs: number;
  /** Compaction bucket (divides a day). */
  readonly bucketMs: number;
  readonly logger: { info(details: object, message: string): void; error(details: object, message: string): void };
  /** @default min(bucketMs, 3_600_000) */
  readonly everyMs?: number;
  /** Events per compaction transaction. @default 5000 */
  readonly batch?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** A scheduled maintenance: `run` does one pass now (or joins the one running); `stop` ends the schedule and waits for a running pass to stop between batches. */
export interface ScheduledRetention {
  run(): Promise<void>;
  stop(): Promise<void>;
}

/** Compacts and prunes now and every `everyMs`; returns the handle (call `stop` on close). */
export function scheduleRetention(options: RetentionOptions): ScheduledRetention {
  const clock = options.clock ?? Date.now;
  const batch = options.batch ?? 5000;
  let running: Promise<void> | undefined;
  let stopped = false;
  const pass = async (): Promise<void> => {
    try {
      let compacted = 0;
      for (;;) {
        const n = await options.store.compact(clock(), options.rawMs, options.bucketMs, batch);
        compacted += n;
        if (n < batch || stopped) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (compacted > 0) options.logger.info({ compacted, rawMs: options.rawMs, bucketMs: options.bucketMs }, 'usage compaction: raw events folded into bucket summaries');
      if (stopped) return;
      const removed = await options.store.prune(clock(), options.retentionMs);
      if (removed > 0) options.logger.info({ removed, retentionMs: options.retentionMs }, 'usage retention: raw events pruned');
    } catch (error) {
      options.logger.error({ err: (error as Error).message }, 'usage retention: compaction or prune failed (retried at the next tick)');
    }
  };
  const run = (): Promise<void> => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };
  void run();
  const timer = setInterval(() => void run(), options.everyMs ?? Math.min(options.bucketMs, 3_600_000));
  timer.unref();
  return {
    run,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
