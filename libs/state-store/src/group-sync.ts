// Group commit: many commits, one flush. Commits are written without a flush on the event loop; each
// caller then awaits `durable()`, which resolves only after a flush that STARTED after its call has
// finished. One flush runs at a time; callers arriving while it runs share the next one, so under
// load a single fsync makes a whole batch of commits durable (self-clocking: the slower the disk, the
// bigger the batch), and the fsync itself runs in libuv's thread pool, never blocking the event loop.

/** Shared durability point for commits made before the call. */
export interface GroupSync {
  /** Resolves once a flush that started after this call completed; rejects with the flush's error. */
  durable(): Promise<void>;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/** Coalesces concurrent `durable()` calls onto as few runs of `flush` as correctness allows. */
export function createGroupSync(flush: () => Promise<void>): GroupSync {
  let waiting: Waiter[] = [];
  let running = false;
  const start = (): void => {
    running = true;
    const batch = waiting;
    waiting = [];
    void flush()
      .then(
        () => batch.forEach((w) => w.resolve()),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        running = false;
        if (waiting.length > 0) start();
      });
  };
  return {
    durable() {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ resolve, reject });
        if (!running) start();
      });
    },
  };
}
