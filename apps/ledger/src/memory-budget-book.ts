// In-process budget state for the memory store: spend per (tenant, window, period), limits, and live
// reservations. Single-threaded, so each method is atomic by construction.
import {
  BUDGET_WINDOWS,
  budgetPeriod,
  checkReserveRequest,
  exceededWindow,
  type BudgetState,
  type BudgetStore,
  type BudgetWindow,
} from './budget-store.ts';

/** BudgetStore plus the hook the memory usage store calls when it records a new event. */
export interface MemoryBudgetBook extends BudgetStore {
  /** Adds a newly recorded event's cost and releases its reservation. */
  onRecorded(tenant: string, requestId: string, costMicroUsd: number, timeMs: number): void;
}

interface Reservation {
  readonly amount: number;
  readonly expiresAtMs: number;
}

/** Creates an empty budget book. */
export function createMemoryBudgetBook(): MemoryBudgetBook {
  const spent = new Map<string, number>();
  const limits = new Map<string, number>();
  const reservations = new Map<string, Map<string, Reservation>>();
  const spentKey = (tenant: string, window: BudgetWindow, period: string): string => JSON.stringify([tenant, window, period]);
  const limitKey = (tenant: string, window: BudgetWindow): string => JSON.stringify([tenant, window]);

  const liveReservations = (tenant: string, nowMs: number): Map<string, Reservation> => {
    const held = reservations.get(tenant) ?? new Map<string, Reservation>();
    for (const [id, r] of held) if (r.expiresAtMs <= nowMs) held.delete(id);
    reservations.set(tenant, held);
    return held;
  };

  const states = (tenant: string, nowMs: number): BudgetState[] => {
    let reserved = 0;
    for (const r of liveReservations(tenant, nowMs).values()) reserved += r.amount;
    return BUDGET_WINDOWS.map((window) => {
      const period = budgetPeriod(window, nowMs);
      return {
        window,
        period,
        limitMicroUsd: limits.get(limitKey(tenant, window)),
        spentMicroUsd: spent.get(spentKey(tenant, window, period)) ?? 0,
        reservedMicroUsd: reserved,
      };
    });
  };

  return {
    onRecorded(tenant, requestId, costMicroUsd, timeMs) {
      for (const window of BUDGET_WINDOWS) {
        const key = spentKey(tenant, window, budgetPeriod(window, timeMs));
        spent.set(key, (spent.get(key) ?? 0) + costMicroUsd);
      }
      reservations.get(tenant)?.delete(requestId);
    },
    async setLimit(tenant, window, limitMicroUsd) {
      if (limitMicroUsd === undefined) limits.delete(limitKey(tenant, window));
      else if (!Number.isSafeInteger(limitMicroUsd) || limitMicroUsd < 0) throw new RangeError('limitMicroUsd must be a non-negative integer');
      else limits.set(limitKey(tenant, window), limitMicroUsd);
    },
    async reserve(request) {
      checkReserveRequest(request);
      const held = liveReservations(request.tenant, request.nowMs);
      if (held.has(request.reservationId)) return { granted: true, states: states(request.tenant, request.nowMs) };
      const exceeded = exceededWindow(states(request.tenant, request.nowMs), request.amountMicroUsd);
      if (exceeded !== undefined) return { granted: false, exceeded, states: states(request.tenant, request.nowMs) };
      held.set(request.reservationId, { amount: request.amountMicroUsd, expiresAtMs: request.nowMs + request.ttlMs });
      return { granted: true, states: states(request.tenant, request.nowMs) };
    },
    release(tenant, reservationId) {
      return Promise.resolve(reservations.get(tenant)?.delete(reservationId) ?? false);
    },
    status(tenant, nowMs) {
      return Promise.resolve(states(tenant, nowMs));
    },
  };
}
