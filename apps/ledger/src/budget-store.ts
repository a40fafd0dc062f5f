// Budget foundations (issue 5): per-tenant spend per UTC day and month, kept by the same store that
// records usage — the spend counter moves in the same atomic step as the idempotent record, so a
// replayed RecordUsage can never count twice — plus worst-case reservations, so concurrent
// requests on any number of replicas cannot jointly overrun a limit.
//
// Flow: reserve(worst case, id = request id) before calling upstream → RecordUsage(request id) adds
// the actual cost and releases the reservation in one step → release(id) on failure without usage.
// A reservation is granted only if spent + reserved + amount ≤ limit for every window with a limit,
// so spend exceeds a limit only when a request's actual cost exceeds its own reservation, or when a
// reservation outlives its TTL (make the TTL longer than the request deadline).

/** Budget windows; periods are UTC calendar days and months. */
export const BUDGET_WINDOWS = ['day', 'month'] as const;
export type BudgetWindow = (typeof BUDGET_WINDOWS)[number];

/** The period a time falls in: `2026-11-26` for day, `2026-11` for month (UTC). */
export function budgetPeriod(window: BudgetWindow, timeMs: number): string {
  const iso = new Date(timeMs).toISOString();
  return window === 'day' ? iso.slice(0, 10) : iso.slice(0, 7);
}

/** One window of a tenant's budget at a moment. */
export interface BudgetState {
  readonly window: BudgetWindow;
  readonly period: string;
  /** Undefined when the tenant has no limit in this window. */
  readonly limitMicroUsd: number | undefined;
  readonly spentMicroUsd: number;
  /** Sum of live (unexpired, unreleased, uncommitted) reservations; they count against every window. */
  readonly reservedMicroUsd: number;
}

/** A worst-case hold on budget before an upstream call. */
export interface ReserveRequest {
  readonly tenant: string;
  /** Use the request id: RecordUsage of that id releases the reservation. */
  readonly reservationId: string;
  readonly amountMicroUsd: number;
  readonly nowMs: number;
  /** After this long the reservation stops counting (a crashed caller cannot hold budget forever). */
  readonly ttlMs: number;
}

/** Whether the reservation holds; `exceeded` names the window that refused it. */
export interface ReserveOutcome {
  readonly granted: boolean;
  readonly exceeded?: BudgetWindow;
  readonly states: readonly BudgetState[];
}

/** Budget operations; implemented by the same stores as UsageStore (their `record` adds spend). */
export interface BudgetStore {
  /** Sets (or with undefined, removes) a tenant's limit in a window. */
  setLimit(tenant: string, window: BudgetWindow, limitMicroUsd: number | undefined): Promise<void>;
  /** Reserves atomically; reserving an id that is already live is granted without counting it twice. */
  reserve(request: ReserveRequest): Promise<ReserveOutcome>;
  /** Drops a reservation without spend (the call failed before any usage); false if none was held. */
  release(tenant: string, reservationId: string): Promise<boolean>;
  /** The tenant's windows for the periods containing `nowMs`. */
  status(tenant: string, nowMs: number): Promise<readonly BudgetState[]>;
}

/** Rejects amounts and TTLs that would corrupt integer counters; shared by both stores. */
export function checkReserveRequest(request: ReserveRequest): void {
  if (!Number.isSafeInteger(request.amountMicroUsd) || request.amountMicroUsd < 0) {
    throw new RangeError(`amountMicroUsd must be a non-negative integer, got ${request.amountMicroUsd}`);
  }
  if (!Number.isSafeInteger(request.ttlMs) || request.ttlMs <= 0) throw new RangeError(`ttlMs must be a positive integer, got ${request.ttlMs}`);
  if (request.reservationId === '') throw new RangeError('reservationId is required');
}

/** The first window whose limit the new amount would overrun, if any. */
export function exceededWindow(states: readonly BudgetState[], amountMicroUsd: number): BudgetWindow | undefined {
  for (const s of states) {
    if (s.limitMicroUsd !== undefined && s.spentMicroUsd + s.reservedMicroUsd + amountMicroUsd > s.limitMicroUsd) return s.window;
  }
  return undefined;
}
