import { createFileWatcher } from '@sophia/platform';
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
 * changes (platform `createFileWatcher`: directory watch, debounce, last valid version kept).
 */
export function createPolicyWatcher(path: string, options: PolicyWatcherOptions = {}): PolicyWatcher {
  return createFileWatcher(path, parseRoutingPolicy, options);
}
