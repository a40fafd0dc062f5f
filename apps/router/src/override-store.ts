import type { RoutingOverride } from './routing-override.ts';

/**
 * Where overrides live. Redis makes them (and their counts) shared by every router replica; the
 * embedded SQLite store (sqlite-override-store.ts) keeps them across restarts for the one mesh that
 * owns the data directory. Counted overrides are consumed only through `claim`,
 * which is atomic, so "next N" means exactly N across replicas.
 */
export interface OverrideStore {
  /** True when every replica sees the same overrides (Redis). */
  readonly shared: boolean;
  /** Overrides in force at `now` (expired and used-up ones are dropped), with their current counts. */
  list(now: number): Promise<RoutingOverride[]>;
  add(override: RoutingOverride): Promise<void>;
  /** False when no override had that id. */
  remove(id: string): Promise<boolean>;
  /**
   * Takes one use of a counted override: the count left after this use, or undefined when none was
   * left (another request took the last one, it expired or was cleared).
   */
  claim(id: string): Promise<number | undefined>;
  /**
   * Gives back one claimed use of a counted override, for a request refused before any backend was
   * called (over budget, cancelled). A no-op when the override was cleared or expired meanwhile; a
   * used-up override stays refundable for {@link REFUND_GRACE_MS}, invisible to routing until then.
   */
  refund(override: RoutingOverride): Promise<void>;
}

/** How long a used-up counted override can still take back a use from a refused request. */
export const REFUND_GRACE_MS = 60_000;
