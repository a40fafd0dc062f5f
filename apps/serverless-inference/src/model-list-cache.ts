/** Options for {@link createModelListCache}. */
export interface ModelListCacheOptions {
  load: () => Promise<string[]>;
  /** How long a fetched list is fresh. @default 60000 */
  ttlMs?: number;
  now?: () => number;
  /** Told when a refresh failed and a stale list was served instead. */
  onStale?: (err: unknown) => void;
}

/** A briefly cached model list. */
export interface ModelListCache {
  /** The list, fetched when missing or stale; concurrent callers share one fetch. */
  get(): Promise<string[]>;
  /** The last list fetched, without any I/O. */
  peek(): readonly string[] | undefined;
}

/**
 * Caches a provider's `/v1/models` so ListModels (called by the router and the admin API) does
 * not hit the provider each time. A failed refresh serves the previous list if there is one,
 * and fails with the upstream's error otherwise.
 */
export function createModelListCache(options: ModelListCacheOptions): ModelListCache {
  const ttlMs = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  let value: string[] | undefined;
  let fetchedAt = 0;
  let inflight: Promise<string[]> | undefined;
  return {
    get() {
      if (value !== undefined && now() - fetchedAt < ttlMs) return Promise.resolve(value);
      inflight ??= options
        .load()
        .then(
          (models) => {
            value = models;
            fetchedAt = now();
            return models;
          },
          (err: unknown) => {
            if (value === undefined) throw err;
            options.onStale?.(err);
            return value;
          },
        )
        .finally(() => {
          inflight = undefined;
        });
      return inflight;
    },
    peek: () => value,
  };
}
