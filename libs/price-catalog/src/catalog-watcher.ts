// Reloads the catalog when its file changes, without a restart. Watches the *directory* rather than
// the file, because editors and Kubernetes ConfigMaps replace files (rename / symlink swap) and a
// watch on the old inode would go quiet. A bad edit keeps the previous catalog and reports the error.
// The mechanism is the platform's createFileWatcher; this names it for the catalog.
import { createFileWatcher } from '@sophia/platform';
import { parseCatalogText } from './load-catalog.ts';
import type { PriceCatalog } from './price-catalog.ts';

/** Options for createCatalogWatcher. */
export interface CatalogWatcherOptions {
  /** Called with the error when a changed file cannot be read or is invalid; the old catalog stays. */
  onError?: (error: Error) => void;
  /**
   * Quiet period after the last file event before re-reading, so a write in several chunks is read once.
   * @default 50
   */
  debounceMs?: number;
}

/** A live catalog: `current()` is always the last valid version of the file. */
export interface CatalogWatcher {
  current(): PriceCatalog;
  /** Re-reads the file now; true when a new valid catalog was installed. */
  reload(): boolean;
  /** Stops watching; safe to call twice. */
  close(): void;
}

/**
 * Loads `path` (throwing if it is invalid: fail fast at start) and keeps it current.
 * `onChange` runs after each successful reload whose file content differs from the last one read.
 */
export function createCatalogWatcher(
  path: string,
  onChange: (catalog: PriceCatalog) => void,
  options: CatalogWatcherOptions = {},
): CatalogWatcher {
  return createFileWatcher(path, parseCatalogText, { ...options, onChange });
}
