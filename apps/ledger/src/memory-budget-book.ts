// In-process budget state for the memory store: spend per (scope, window, period), limits, and live
// reservations. Single-threaded, so each method is atomic by construction.
import type { BudgetCalendar } from './budget-calendar.ts';
import {
  applicableScopes,
  BUDGET_WINDOWS,
  checkLimit,
  checkReserveRequest,
  exceededWindow,
  scopeId,
  scopeStates,
  tenantScope,
  type BudgetScope,
  type BudgetState,
  type BudgetStore,
  type BudgetWindow,
} from './budget-store.ts';

/** BudgetStore plus the hook the memory usage store calls when it records a new event. */
export interface MemoryBudgetBook extends BudgetStore {
  /** Adds a newly recorded event's cost to every applicable scope. */
  onRecorded(record: { tenant: string; model: string; apiKey: string; costMicroUsd: number; timeMs: number }): void;
}

interface Reservation {
  readonly amount: number;
  readonly expiresAtMs: number;
  readonly apiKey: string;
  readonly model: string;
}

/** Creates an empty budget book whose periods follow `calendar`. */
export function createMemoryBudgetBook(calendar: BudgetCalendar): MemoryBudgetBook {
  const spent = new Map<string, number>();
  const limits = new Map<string, Partial<Record<BudgetWindow, number>>>();
  const limitedScopes = new Map<string, Map<string, BudgetScope>>();
  const reservations = new Map<string, Map<string, Reservation>>();
  const spentKey = (scope: BudgetScope, window: BudgetWindow, period: string): string => `${scopeId(scope)}|${window}|${period}`;

  const liveReservations = (tenant: string, nowMs: number): Map<string, Reservation> => {
    const held = reservations.get(tenant) ?? new Map<string, Reservation>();
    for (const [id, r] of held) if (r.expiresAtMs <= nowMs) held.delete(id);
    reservations.set(tenant, held);
    return held;
  };

  const states = (scope: BudgetScope, nowMs: number): BudgetState[] => {
    let reserved = 0;
    for (const r of liveReservations(scope.tenant, nowMs).values()) {
      if ((scope.apiKey === '' || scope.apiKey === r.apiKey) && (scope.model === '' || scope.model === r.model)) reserved += r.amount;
    }
    const spentNow = (window: BudgetWindow): number => spent.get(spentKey(scope, window, calendar.period(window, nowMs))) ?? 0;
    return scopeStates(calendar, scope, nowMs, limits.get(scopeId(scope)) ?? {}, { day: spentNow('day'), month: spentNow('month') }, reserved);
  };

  return {
    onRecorded(record) {
      for (const scope of applicableScopes(record.tenant, record.model, record.apiKey)) {
        for (const window of BUDGET_WINDOWS) {
          const key = spentKey(scope, window, calendar.period(window, record.timeMs));
          spent.set(key, (spent.get(key) ?? 0) + record.costMicroUsd);
        }
      }
    },
    async setLimit(scope, window, limitMicroUsd) {
      checkLimit(limitMicroUsd);
      const id = scopeId(scope);
      const current = { ...(limits.get(id) ?? {}) };
      const previous = current[window];
      if (limitMicroUsd === undefined) delete current[window];
      else current[window] = limitMicroUsd;
      const scopes = limitedScopes.get(scope.tenant) ?? new Map<string, BudgetScope>();
      limitedScopes.set(scope.tenant, scopes);
      if (Object.keys(current).length === 0) {
        limits.delete(id);
        scopes.delete(id);
      } else {
        limits.set(id, current);
        scopes.set(id, scope);
      }
      return previous;
    },
    async reserve(request) {
      checkReserveRequest(request);
      const scopes = applicableScopes(request.tenant, request.model ?? '', request.apiKey ?? '');
      const held = liveReservations(request.tenant, request.nowMs);
      if (!held.has(request.reservationId)) {
        const exceeded = exceededWindow(
          scopes.flatMap((s) => states(s, request.nowMs)),
          request.amountMicroUsd,
        );
        if (exceeded !== undefined) return { granted: false, exceeded, states: scopes.flatMap((s) => states(s, request.nowMs)) };
        held.set(request.reservationId, {
          amount: request.amountMicroUsd,
          expiresAtMs: request.nowMs + request.ttlMs,
          apiKey: request.apiKey ?? '',
          model: request.model ?? '',
        });
      }
      return { granted: true, states: scopes.flatMap((s) => states(s, request.nowMs)) };
    },
    release(tenant, reservationId) {
      return Promise.resolve(reservations.get(tenant)?.delete(reservationId) ?? false);
    },
    status(scope, nowMs) {
      return Promise.resolve(states(scope, nowMs));
    },
    tenantStatus(tenant, nowMs) {
      const others = [...(limitedScopes.get(tenant)?.values() ?? [])].filter((s) => s.apiKey !== '' || s.model !== '')
        .sort((a, b) => (scopeId(a) < scopeId(b) ? -1 : 1));
      return Promise.resolve([tenantScope(tenant), ...others].flatMap((s) => states(s, nowMs)));
    },
  };
}
