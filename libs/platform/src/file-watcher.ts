import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';

/** Options for {@link createFileWatcher}. */
export interface FileWatcherOptions<T> {
  /** Called after each successful reload of changed content. */
  readonly onChange?: (value: T) => void;
  /** A changed file that cannot be read or parsed: the previous value stays and this is called. */
  readonly onError?: (error: Error) => void;
  /** Quiet period after the last file event before re-reading. @default 50 */
  readonly debounceMs?: number;
  /**
   * How long the file may be absent before that is reported through `onError` (a replace by rename
   * leaves it briefly absent; a deletion keeps it so). The last valid value stays in force. @default 1000
   */
  readonly missingGraceMs?: number;
}

/** A live, parsed file: `current()` is always the last valid version. */
export interface FileWatcher<T> {
  current(): T;
  /** Re-reads the file now; true when a new valid value was installed. */
  reload(): boolean;
  /** Stops watching; safe to call twice. */
  close(): void;
}

/**
 * Config files that reload without a restart (price catalog, routing policy): parses `path` now
 * (throwing if invalid: fail fast at start), then re-reads it when its directory changes — editors
 * and Kubernetes ConfigMaps replace the file by a rename rather than writing it — keeping the last
 * valid value when a new version does not parse.
 */
export function createFileWatcher<T>(path: string, parse: (text: string, origin: string) => T, options: FileWatcherOptions<T> = {}): FileWatcher<T> {
  const report = options.onError ?? (() => undefined);
  let lastText = readFileSync(path, 'utf8');
  let value = parse(lastText, path);
  let timer: NodeJS.Timeout | undefined;
  let missingTimer: NodeJS.Timeout | undefined;
  let missingReported = false;
  let closed = false;

  const checkMissing = (): void => {
    missingTimer = undefined;
    if (closed || missingReported) return;
    try {
      readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return;
      missingReported = true;
      report(new Error(`${path}: the file is gone; the last valid version stays in force until it is back`));
    }
  };

  const reload = (): boolean => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        report(error as Error);
      } else if (missingTimer === undefined && !missingReported) {
        // Mid-replace the file can be briefly absent (the rename's own event triggers another read);
        // still absent after the grace period, it was deleted, and that is worth a line in the log.
        missingTimer = setTimeout(checkMissing, options.missingGraceMs ?? 1000);
        missingTimer.unref();
      }
      return false;
    }
    missingReported = false;
    if (text === lastText) return false;
    lastText = text;
    try {
      value = parse(text, path);
    } catch (error) {
      report(error as Error);
      return false;
    }
    options.onChange?.(value);
    return true;
  };

  const watcher: FSWatcher = watch(dirname(path), { persistent: false }, () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(reload, options.debounceMs ?? 50);
    timer.unref();
  });
  watcher.on('error', (error) => report(error));

  return {
    current: () => value,
    reload,
    close: () => {
      closed = true;
      clearTimeout(timer);
      clearTimeout(missingTimer);
      watcher.close();
    },
  };
}
