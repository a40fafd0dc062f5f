import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { parseRoutingPolicy, type RoutingPolicy } from './routing-policy.ts';

/** Options for createPolicyWatcher. */
export interface PolicyWatcherOptions {
  /** A changed file that cannot be read or is invalid: the previous policy stays and this is called. */
  readonly onError?: (error: Error) => void;
  /** Called after each successful reload of changed content. */
  readonly onChange?: (policy: RoutingPolicy) => void;
  /** Quiet period after the last file event before re-reading. @default 50 */
  readonly debounceMs?: number;
}

/** A live routing policy: `current()` is always the last valid version of the file. */
export interface PolicyWatcher {
  current(): RoutingPolicy;
  /** Re-reads the file now; true when a new valid policy was installed. */
  reload(): boolean;
  close(): void;
}

/**
 * Loads the policy at `path` (throwing if invalid: fail fast at start) and reloads it when the file
 * changes. Watches the directory, because editors and ConfigMaps replace the file rather than write it.
 */
export function createPolicyWatcher(path: string, options: PolicyWatcherOptions = {}): PolicyWatcher {
  const report = options.onError ?? (() => undefined);
  let lastText = readFileSync(path, 'utf8');
  let policy = parseRoutingPolicy(lastText, path);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const reload = (): boolean => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') report(error as Error);
      return false;
    }
    if (text === lastText) return false;
    lastText = text;
    try {
      policy = parseRoutingPolicy(text, path);
    } catch (error) {
      report(error as Error);
      return false;
    }
    options.onChange?.(policy);
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
    current: () => policy,
    reload,
    close: () => {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
