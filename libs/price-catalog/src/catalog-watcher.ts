// Reloads the catalog when its file changes, without a restart. Watches the *directory* rather than
// the file, because editors and Kubernetes ConfigMaps replace files (rename / symlink swap) and a
// watch on the old inode would go quiet. A bad edit keeps the previous catalog and reports the error.
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
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
  const debounceMs = options.debounceMs ?? 50;
  const report = options.onError ?? (() => undefined);
  let lastText = readFileSync(path, 'utf8');
  let catalog = parseCatalogText(lastText, path);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const reload = (): boolean => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      // Mid-replace the file can be briefly absent; the rename's own event triggers another read.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') report(error as Error);
      return false;
    }
    if (text === lastText) return false;
    lastText = text;
    try {
      catalog = parseCatalogText(text, path);
    } catch (error) {
      report(error as Error);
      return false;
    }
    onChange(catalog);
    return true;
  };

  const watcher: FSWatcher = watch(dirname(path), { persistent: false }, () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
    timer.unref();
  });
  watcher.on('error', (error) => report(error));

  return {
    current: () => catalog,
    reload,
    close: () => {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
