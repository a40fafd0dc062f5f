// Budgets (issue 5): limits per scope (a tenant, optionally narrowed to one API key or one model) per
// day and month in the budget time zone, spend kept by the same store that records usage — the spend
// counters move in the same atomic step as the idempotent record, so a replayed commit never counts
// twice — and worst-case reservations, so concurrent requests on any number of replicas cannot
// jointly overrun a limit.
//
// Flow: reserve(worst case, id = request id) before calling upstream → record (commit) of that id adds
// the actual cost to every scope and releases the reservation in one step → release(id) on failure.
// A reservation is granted only if spent + reserved + amount ≤ limit for every limited window of every
// scope that applies, so spend exceeds a limit only when a request's actual cost exceeds its own
// reservation, or when a reservation outlives its TTL (make the TTL longer than the request deadline).
import type { BudgetCalendar } from './budget-calendar.ts';
import type { PromptCalibration } from './prompt-calibration.ts';

/** Budget windows; periods are calendar days and months in the budget time zone. */
export const BUDGET_WINDOWS = ['day', 'month'] as const;
export type BudgetWindow = (typeof BUDGET_WINDOWS)[number];

/** Who a budget applies to: a whole tenant (`apiKey` and `model` empty) or one key / one model of it. */
export interface BudgetScope {
  readonly tenant: string;
  readonly apiKey: string;
  readonly model: string;
}

/** The tenant-wide scope. */
export function tenantScope(tenant: string): BudgetScope {
  return { tenant, apiKey: '', model: '' };
}

/** A stable, unambiguous id of a scope (used in store keys). */
export function scopeId(scope: BudgetScope): string {
  return JSON.stringify([scope.tenant, scope.apiKey, scope.model]);
}

/** "tenant 'acme'", "tenant 'acme' api key 'k1'", "tenant 'acme' model 'm'" — for error messages. */
export function describeScope(scope: BudgetScope): string {
  let out = `tenant '${scope.tenant}'`;
  if (scope.apiKey !== '') out += ` api key '${scope.apiKey}'`;
  if (scope.model !== '') out += ` model '${scope.model}'`;
  return out;
}

/**
 * The scopes a request is checked against and whose spend it adds to: the tenant, its model, and its
 * API key when it has one. A scope narrowed to both a key and a model is not supported.
 */
export function applicableScopes(tenant: string, model: string, apiKey: string): BudgetScope[] {
  const scopes = [tenantScope(tenant), { tenant, apiKey: '', model }];
  if (apiKey !== '') scopes.push({ tenant, apiKey, model: '' });
  return scopes;
}

/** One window of one scope at a moment. */
export interface BudgetState {
  readonly scope: BudgetScope;
  readonly window: BudgetWindow;
  readonly period: string;
  /** Undefined when the scope has no limit in this window. */
  readonly limitMicroUsd: number | undefined;
  readonly spentMicroUsd: number;
  /** Sum of live (unexpired, unreleased, uncommitted) reservations that fall in this scope. */
  readonly reservedMicroUsd: number;
  /** When the period ends and spend starts again from zero. */
  readonly resetsAtMs: number;
}

/** A worst-case hold on budget before an upstream call. */
export interface ReserveRequest {
  readonly tenant: string;
  /** Use the request id: recording that id releases the reservation. */
  readonly reservationId: string;
  readonly amountMicroUsd: number;
  readonly nowMs: number;
  /** After this long the reservation stops counting (a crashed caller cannot hold budget forever). */
  readonly ttlMs: number;
  /** Model of the request ('' = none): the tenant's per-model budget applies. */
  readonly model?: string;
  /** API key of the request ('' = none): the key's budget applies. */
  readonly apiKey?: string;
  /**
   * The local estimate of the prompt's tokens (0 = none). Kept with the reservation so that the record
   * settling it adds a calibration sample (estimate vs billed) for the model, in the same atomic step.
   */
  readonly promptEstimate?: number;
}

/** Whether the reservation holds; `exceeded` is the first window that refused it. */
export interface ReserveOutcome {
  readonly granted: boolean;
  readonly exceeded?: BudgetState;
  /** The windows of every applicable scope (tenant day, tenant month, model day, …). */
  readonly states: readonly BudgetState[];
}

/** Budget operations; implemented by the same stores as UsageStore (their `record` adds spend). */
export interface BudgetStore {
  /** Sets (or with undefined, removes) a scope's limit in a window; returns the previous limit. */
  setLimit(scope: BudgetScope, window: BudgetWindow, limitMicroUsd: number | undefined): Promise<number | undefined>;
  /** Reserves atomically; reserving an id that is already live is granted without counting it twice. */
  reserve(request: ReserveRequest): Promise<ReserveOutcome>;
  /** Drops a reservation without spend (the call failed before any usage); false if none was held. */
  release(tenant: string, reservationId: string): Promise<boolean>;
  /** The scope's windows for the periods containing `nowMs`. */
  status(scope: BudgetScope, nowMs: number): Promise<readonly BudgetState[]>;
  /** The tenant-wide windows, then those of every key / model scope of the tenant that has a limit. */
  tenantStatus(tenant: string, nowMs: number): Promise<readonly BudgetState[]>;
  /** The model's prompt calibration (prompt-calibration.ts) learned from settled reservations. */
  promptCalibration(model: string): Promise<PromptCalibration>;
}

/** Rejects amounts and TTLs that would corrupt integer counters; shared by both stores. */
export function checkReserveRequest(request: ReserveRequest): void {
  if (!Number.isSafeInteger(request.amountMicroUsd) || request.amountMicroUsd < 0) {
    throw new RangeError(`amountMicroUsd must be a non-negative integer, got ${request.amountMicroUsd}`);
  }
  if (!Number.isSafeInteger(request.ttlMs) || request.ttlMs <= 0) throw new RangeError(`ttlMs must be a positive integer, got ${request.ttlMs}`);
  if (request.reservationId === '') throw new RangeError('reservationId is required');
  const estimate = request.promptEstimate ?? 0;
  if (!Number.isSafeInteger(estimate) || estimate < 0) throw new RangeError(`promptEstimate must be a non-negative integer, got ${estimate}`);
}

/** Rejects limits that are not non-negative safe integers. */
export function checkLimit(limitMicroUsd: number | undefined): void {
  if (limitMicroUsd !== undefined && (!Number.isSafeInteger(limitMicroUsd) || limitMicroUsd < 0)) {
    throw new RangeError(`limitMicroUsd must be a non-negative integer, got ${limitMicroUsd}`);
  }
}

/** The first window whose limit the new amount would overrun, if any. */
export function exceededWindow(states: readonly BudgetState[], amountMicroUsd: number): BudgetState | undefined {
  return states.find((s) => s.limitMicroUsd !== undefined && s.spentMicroUsd + s.reservedMicroUsd + amountMicroUsd > s.limitMicroUsd);
}

/** (spent + reserved) / limit, 0 without a limit; a zero limit with any use is 1 or more. */
export function utilisation(state: BudgetState): number {
  if (state.limitMicroUsd === undefined) return 0;
  const used = state.spentMicroUsd + state.reservedMicroUsd;
  if (state.limitMicroUsd === 0) return used > 0 ? 1 : 0;
  return used / state.limitMicroUsd;
}

/** Builds the two window states of a scope from raw counters. */
export function scopeStates(
  calendar: BudgetCalendar,
  scope: BudgetScope,
  nowMs: number,
  limits: Readonly<Partial<Record<BudgetWindow, number>>>,
  spent: Readonly<Record<BudgetWindow, number>>,
  reservedMicroUsd: number,
): BudgetState[] {
  return BUDGET_WINDOWS.map((window) => ({
    scope,
    window,
    period: calendar.period(window, nowMs),
    limitMicroUsd: limits[window],
    spentMicroUsd: spent[window],
    reservedMicroUsd,
    resetsAtMs: calendar.resetsAtMs(window, nowMs),
  }));
}
