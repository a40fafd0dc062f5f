export { UpstreamFailureKind, FAILURE_KIND_HEADER, RETRY_AFTER_HEADER, upstreamFailureKind, parseRetryAfterMs, retryAfterMs, isBackendFailure } from './backend-failure.ts';
export { BUDGET_OUTAGE_HEADER, budgetOutageRefusal, isBudgetOutageRefusal } from './budget-outage.ts';
