import type { Client } from '@connectrpc/connect';
import type { ClassifierService } from '@sophia/contracts/classifier';
import type { InferenceService } from '@sophia/contracts/inference';
import type { LedgerService } from '@sophia/contracts/ledger';
import type { CatalogBackend, PriceCatalog } from '@sophia/price-catalog';
import type { Logger } from 'pino';
import type { BudgetHeadroom } from './budget-headroom.ts';
import type { CapacitySnapshot } from './capacity-snapshot.ts';
import type { OverrideAuditSink } from './override-admin.ts';
import type { OverrideStore } from './override-store.ts';
import type { RetryBudget } from './retry-budget.ts';
import type { RouterMetrics } from './router-metrics.ts';
import type { RoutingPolicy } from './routing-policy.ts';
import type { TargetBreakers } from './target-breakers.ts';
import type { TtftLimits } from '@sophia/ttft-limits';
import type { TokenMix } from './token-mix.ts';

/** What the router needs; all injected so tests use in-memory fakes. */
export interface RouterDeps {
  readonly catalog: () => PriceCatalog;
  readonly classifier?: Client<typeof ClassifierService> | undefined;
  readonly ledger?: Client<typeof LedgerService> | undefined;
  readonly backends: Partial<Record<CatalogBackend, Client<typeof InferenceService>>>;
  readonly breakers: TargetBreakers;
  readonly logger: Logger;
  readonly metrics?: RouterMetrics | undefined;
  /** Budget for the classifier call before routing on the default tier. @default SOPHIA_CLASSIFIER_TIMEOUT_MS's default */
  readonly classifierTimeoutMs?: number;
  /** The live routing policy. @default no policy: classifier tier, serverless first */
  readonly policy?: (() => RoutingPolicy) | undefined;
  /** Where overrides live: SQLite in the data directory (embedded) or Redis (shared by replicas). */
  readonly overrides: OverrideStore;
  /** Tenant budget position for the step-down rule. @default none known */
  readonly headroom?: BudgetHeadroom | undefined;
  /** Cached GPU pool capacity (from the background poller). @default unknown */
  readonly capacity?: (() => CapacitySnapshot | undefined) | undefined;
  readonly clock?: (() => number) | undefined;
  /** Durable audit trail for override changes (besides the audit log line). @default log only */
  readonly audit?: OverrideAuditSink | undefined;
  /** What to do when a reservation cannot be made (ledger unreachable or slow): serve unreserved or refuse. @default serve */
  readonly budgetOutage?: 'serve' | 'refuse';
  /** Rescues of a stream broken after its first token (continued on the next target; 0 = explicit error). @default SOPHIA_ROUTER_MID_STREAM_RESCUES's default */
  readonly maxRescues?: number;
  /** Retries of a failed target, only before the first token and when every target failed. @default SOPHIA_ROUTER_MAX_RETRIES's default */
  readonly maxRetries?: number;
  /** A Retry-After longer than this is not waited for. @default SOPHIA_ROUTER_MAX_RETRY_AFTER_MS's default */
  readonly maxRetryAfterMs?: number;
  /** Shared retry budget. @default SOPHIA_ROUTER_RETRY_BUDGET_RATIO's default ratio */
  readonly retryBudget?: RetryBudget | undefined;
  readonly random?: (() => number) | undefined;
  /** Learned time to first event per target (hedge delays). @default no hedging */
  readonly ttft?: TtftLimits | undefined;
  /** Hedges allowed: a token bucket like the retry budget. @default no hedging */
  readonly hedgeBudget?: RetryBudget | undefined;
  /** The longest a caller waits for a first token or a clear error (SOPHIA_FIRST_TOKEN_BOUND_MS). @default the caller's deadline only */
  readonly firstTokenBoundMs?: number | undefined;
  /** Each tenant×workload's real completion tokens (ledger), sent to the serverless backend to rank providers by the request's mix. @default unknown */
  readonly tokenMix?: TokenMix | undefined;
}
