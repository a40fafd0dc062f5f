// Durable fleet state: the instances the controller launched (so a restart neither forgets what it
// pays for nor mistakes its own instances for orphans), operator holds (so a restart keeps what an
// operator asked for), the controller lease (so one replica acts while others only plan), the weekly
// demand profile prewarm forecasts from (so a restart keeps the weeks it learned), and the audit
// trail of every action.
import type { CatalogTier } from '@sophia/price-catalog';

/** Where a managed instance is in its lifecycle. */
export type FleetInstanceState = 'booting' | 'in_pool' | 'draining' | 'terminated';

/** One instance the fleet launched. Times are epoch milliseconds. */
export interface FleetInstance {
  readonly id: string;
  readonly name: string;
  readonly tier: CatalogTier;
  readonly instanceType: string;
  readonly region: string;
  readonly microUsdPerHour: number;
  readonly state: FleetInstanceState;
  readonly launchedAt: number;
  /** When it joined the pool (health and /v1/models answered). */
  readonly readyAt?: number;
  readonly drainingSince?: number;
  readonly terminatedAt?: number;
  /** vLLM base URL once the cloud assigned an address. */
  readonly baseUrl?: string;
  /** Consecutive failed health probes. */
  readonly failedProbes: number;
  readonly lastError?: string;
}

/** What the controller did (or, in plan mode, would have done). */
export type FleetActionKind = 'launch' | 'launch_failed' | 'ready' | 'drain' | 'terminate' | 'terminate_failed' | 'replace' | 'orphan' | 'capped' | 'planned';

/** One audit record. */
export interface FleetAuditEntry {
  readonly at: number;
  readonly action: FleetActionKind;
  readonly tier?: CatalogTier;
  readonly instanceId?: string;
  readonly instanceType?: string;
  readonly region?: string;
  /** Why, in words an operator reads (`serverless_breaker_open: desired 2, live 1`). */
  readonly detail: string;
}

/** An operator's request for at least `count` instances in a tier's pool until `untilMs` (epoch ms). */
export interface FleetHold {
  readonly tier: CatalogTier;
  readonly count: number;
  readonly untilMs: number;
}

/** Minutes in a week: the weekly profile has one slot per minute of the week. */
export const MINUTES_PER_WEEK = 7 * 24 * 60;

/** Demand of one tier in one minute, or summed over several (whole requests and tokens). */
export interface WeeklyDemand {
  readonly requests: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** A span of the weekly profile: its sums over the weeks seen, and since when the tier has history. */
export interface WeeklySpan {
  readonly total: WeeklyDemand;
  /** The first minute ever added for the tier (absolute minute); undefined before any. */
  readonly firstMinute: number | undefined;
}

/** The minute of the week of an absolute minute number (0 … MINUTES_PER_WEEK − 1). */
export function weekSlot(minute: number): number {
  return ((minute % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
}

/** Storage of fleet state; the SQLite (embedded) and Redis (shared) implementations pass one suite. */
export interface FleetStore {
  /** Instances not yet terminated, oldest launch first. */
  liveInstances(): Promise<FleetInstance[]>;
  /** Inserts or replaces the record with this id (terminated records are kept as history). */
  putInstance(instance: FleetInstance): Promise<void>;
  /** The last record of an instance, terminated ones included. */
  getInstance(id: string): Promise<FleetInstance | undefined>;
  appendAudit(entry: FleetAuditEntry): Promise<void>;
  /** The newest `limit` audit entries, newest first. */
  recentAudit(limit: number): Promise<FleetAuditEntry[]>;
  /** Sets the tier's hold (replacing any earlier one for that tier). */
  putHold(hold: FleetHold): Promise<void>;
  /** Holds whose `untilMs` is after `nowMs`, in tier order (expired ones are ignored). */
  activeHolds(nowMs: number): Promise<FleetHold[]>;
  /**
   * Takes or renews the controller lease for `holder` until `nowMs + ttlMs`: true when `holder` now
   * holds it (it was free, expired, or already `holder`'s), false while another holder's lease runs.
   * Atomic across replicas sharing the store.
   */
  tryLease(holder: string, nowMs: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` has it (a clean shutdown hands over at once, not after the TTL). */
  releaseLease(holder: string): Promise<void>;
  /**
   * Adds a complete minute's demand of a tier to its minute of the week, exactly once: only when
   * `minute` is after the last minute added for the tier (which it becomes), so a restarted or second
   * controller re-reading the same minutes cannot count them twice. True when added. Atomic.
   */
  addWeeklyDemand(tier: CatalogTier, minute: number, demand: WeeklyDemand): Promise<boolean>;
  /** Sums of the `minutes` slots of the week starting at `fromMinute`'s (wrapping past the week's end; at most a week). */
  weeklyDemand(tier: CatalogTier, fromMinute: number, minutes: number): Promise<WeeklySpan>;
  close(): Promise<void>;
}

const TIER_ORDER: Readonly<Record<CatalogTier, number>> = { simple: 0, balanced: 1, complex: 2 };

/** Holds in tier order (every store answers `activeHolds` in this order). */
export function sortHolds(holds: FleetHold[]): FleetHold[] {
  return holds.sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier]);
}
