// Budget values between the store's shape and the wire (BudgetWindowStatus, BudgetScope), and the
// RESOURCE_EXHAUSTED error a refused reservation becomes.
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { RETRY_AFTER_HEADER } from '@sophia/platform/wire';
import { BudgetWindow as WireWindow, type BudgetScope as WireScope, type BudgetWindowStatusSchema } from '@sophia/contracts/ledger';
import { describeScope, utilisation, type BudgetScope, type BudgetState, type BudgetWindow } from './budget-store.ts';
import { fieldError } from './field-error.ts';
import { MAX_TEXT_LENGTH } from './usage-event-record.ts';

/** Trailer (gRPC) / header (Connect) carrying the milliseconds until an exhausted budget resets. */
export const RETRY_AFTER_MS_KEY = RETRY_AFTER_HEADER;

/** "$1.234567" from micro-USD, exact. */
export function formatUsd(microUsd: number): string {
  const sign = microUsd < 0 ? '-' : '';
  const abs = Math.abs(microUsd);
  return `${sign}$${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, '0')}`;
}

/** Wire window → store window, naming the field when unset or unknown. */
export function windowFromWire(value: number, field: string): BudgetWindow {
  if (value === WireWindow.DAY) return 'day';
  if (value === WireWindow.MONTH) return 'month';
  throw fieldError(field, value === 0 ? 'is required (BUDGET_WINDOW_DAY or BUDGET_WINDOW_MONTH)' : `unknown window ${value}`);
}

function text(value: string, field: string, required: boolean): string {
  if (required && value.trim() === '') throw fieldError(field, 'is required');
  if (value.length > MAX_TEXT_LENGTH) throw fieldError(field, `is longer than ${MAX_TEXT_LENGTH} characters`);
  return value;
}

/** Validates a wire scope: tenant required; a key or a model (not both) may narrow it. */
export function scopeFromWire(scope: WireScope | undefined, field: string): BudgetScope {
  if (scope === undefined) throw fieldError(field, 'is required');
  const tenant = text(scope.tenant, `${field}.tenant`, true);
  const apiKey = text(scope.apiKey, `${field}.api_key`, false);
  const model = text(scope.model, `${field}.model`, false);
  if (apiKey !== '' && model !== '') throw fieldError(field, 'narrow a budget to an api_key or a model, not both');
  return { tenant, apiKey, model };
}

/** Store state → wire status. */
export function stateToWire(state: BudgetState): MessageInitShape<typeof BudgetWindowStatusSchema> {
  return {
    scope: { ...state.scope },
    window: state.window === 'day' ? WireWindow.DAY : WireWindow.MONTH,
    period: state.period,
    ...(state.limitMicroUsd === undefined ? {} : { limit: { microUsd: BigInt(state.limitMicroUsd) } }),
    spent: { microUsd: BigInt(state.spentMicroUsd) },
    reserved: { microUsd: BigInt(state.reservedMicroUsd) },
    resetsAt: timestampFromMs(state.resetsAtMs),
    utilisation: utilisation(state),
  };
}

/**
 * The error for a refused reservation: names the tenant (and key / model), the budget, what is spent
 * and reserved, what the request needed and when the budget resets; `retry-after-ms` = time to reset.
 */
export function budgetExceededError(state: BudgetState, amountMicroUsd: number, nowMs: number, timeZone: string): ConnectError {
  const retryAfterMs = Math.max(0, state.resetsAtMs - nowMs);
  const label = state.window === 'day' ? 'daily' : 'monthly';
  const message =
    `budget exceeded: ${describeScope(state.scope)} ${label} budget ${formatUsd(state.limitMicroUsd ?? 0)} ` +
    `(${state.period}, ${timeZone}): spent ${formatUsd(state.spentMicroUsd)}, reserved ${formatUsd(state.reservedMicroUsd)}, ` +
    `this request needs up to ${formatUsd(amountMicroUsd)}; resets at ${new Date(state.resetsAtMs).toISOString()}`;
  return new ConnectError(message, Code.ResourceExhausted, { [RETRY_AFTER_MS_KEY]: String(retryAfterMs) });
}
