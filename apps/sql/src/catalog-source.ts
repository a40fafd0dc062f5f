import type { Catalog } from '@sophia/sql-core';

/** Where the validator's catalog for caller and LLM SQL comes from (SOPHIA_SQL_CATALOG). */
export interface CatalogSource {
  /** "warehouse duckdb:… (INFORMATION_SCHEMA, refreshed every N ms)" or "file /path/catalog.json", for logs and DescribeCatalog. */
  readonly origin: string;
  /** The current catalog; may reload it first (see {@link createCachedCatalog}). */
  current(): Promise<Catalog>;
}

/** The part of a pino logger the cache uses. */
export interface CatalogLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Options for {@link createCachedCatalog}. */
export interface CachedCatalogOptions {
  /** Reads the catalog (the warehouse's INFORMATION_SCHEMA). */
  readonly load: () => Promise<Catalog>;
  /** A catalog older than this is reloaded on the next call. */
  readonly ttlMs: number;
  readonly origin: string;
  readonly logger: CatalogLogger;
  /** Milliseconds; injected by tests. @default Date.now */
  readonly now?: () => number;
}

/**
 * INFORMATION_SCHEMA is slow on Snowflake (seconds, and it wakes the warehouse), so the catalog is
 * cached: the first call loads it (and fails if that fails — there is nothing to fall back to); a
 * call after `ttlMs` reloads it lazily, concurrent callers sharing one reload. A failed reload keeps
 * the previous catalog, logs a warning and is retried only after another `ttlMs`, so a flaky
 * warehouse neither blocks validation nor gets hammered.
 */
export function createCachedCatalog(options: CachedCatalogOptions): CatalogSource & { readonly loadedAt: () => number | undefined } {
  const now = options.now ?? Date.now;
  let catalog: Catalog | undefined;
  let loadedAt: number | undefined;
  let inFlight: Promise<Catalog> | undefined;
  const reload = (): Promise<Catalog> => {
    inFlight ??= (async () => {
      try {
        const fresh = await options.load();
        catalog = fresh;
        loadedAt = now();
        options.logger.info({ catalog: options.origin, tables: fresh.tables.length }, 'sql catalog loaded');
        return fresh;
      } catch (err) {
        if (catalog === undefined) throw err;
        loadedAt = now();
        options.logger.warn({ catalog: options.origin, err }, 'sql catalog refresh failed; keeping the previous catalog');
        return catalog;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
  return {
    origin: options.origin,
    loadedAt: () => loadedAt,
    async current() {
      if (catalog === undefined || loadedAt === undefined || now() - loadedAt >= options.ttlMs) return reload();
      return catalog;
    },
  };
}

/** A catalog fixed at start (a JSON catalog file, already parsed). */
export function staticCatalogSource(catalog: Catalog, origin: string): CatalogSource {
  return { origin, current: async () => catalog };
}
