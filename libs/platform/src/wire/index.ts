export { UpstreamFailureKind, FAILURE_KIND_HEADER, RETRY_AFTER_HEADER, upstreamFailureKind, parseRetryAfterMs, retryAfterMs, isBackendFailure } from './backend-failure.ts';
export { BUDGET_OUTAGE_HEADER, budgetOutageCause, budgetOutageRefusal, isBudgetOutageRefusal, type BudgetOutageCause } from './budget-outage.ts';
export { FIRST_TOKEN_BOUND_HEADER, firstTokenBoundExceeded, firstTokenBoundOf } from './first-token-bound.ts';
