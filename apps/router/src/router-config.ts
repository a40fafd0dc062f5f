import { z } from 'zod';
import { redisTargetSchema } from '@sophia/platform/redis';
import { configValues } from '@sophia/platform';
import { stateStoreConfigShape } from '@sophia/state-store';

/** The router's configuration keys (documented in docs/configuration.md). */
export const routerConfigSchema = z.object({
  /** SOPHIA_DATA_DIR, SOPHIA_DATA_SYNC, SOPHIA_DATA_DIR_OWNER: overrides in the embedded state file when Redis is unset. */
  ...stateStoreConfigShape,
  /** Price catalog file; unset = the catalog bundled with @sophia/price-catalog. Reloaded on change. */
  SOPHIA_CATALOG_PATH: z.string().min(1).optional(),
  SOPHIA_CLASSIFIER_TIMEOUT_MS: configValues.durationMs(250),
  /** Fires in opossum's window before its percentage rule applies (the fast rule covers dead upstreams). */
  SOPHIA_BREAKER_VOLUME_THRESHOLD: z.coerce.number().int().min(1).default(20),
  SOPHIA_BREAKER_ERROR_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
  SOPHIA_BREAKER_RESET_MS: configValues.durationMs(5000),
  SOPHIA_BREAKER_WINDOW_MS: configValues.durationMs(10_000),
  /** Failures within SOPHIA_BREAKER_FAILING_FOR_MS (at >= the error percentage) that open a breaker at once. */
  SOPHIA_BREAKER_FAST_FAILURES: z.coerce.number().int().min(1).default(3),
  /** The fast window; also, >= 2 failures in a row spanning this long open a breaker. */
  SOPHIA_BREAKER_FAILING_FOR_MS: configValues.durationMs(1000),
  /** Days the router keeps breaker transitions (GetBreakers.transitions; also capped at the newest 1,000). */
  SOPHIA_BREAKER_HISTORY_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** Streams broken after the first token continued on another target (0 = end with an error). */
  SOPHIA_ROUTER_MID_STREAM_RESCUES: z.coerce.number().int().min(0).max(3).default(1),
  /** Same-target retries per request, before the first token, when every target failed. */
  SOPHIA_ROUTER_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
  /** Retry budget: retries earned per request (0.1 = at most ~10 % extra upstream calls). */
  SOPHIA_ROUTER_RETRY_BUDGET_RATIO: z.coerce.number().min(0).max(1).default(0.1),
  /**
   * The longest a caller waits, from the request's arrival at the router, for a first token or a
   * clear error: past it every attempt is cancelled and the call ends DEADLINE_EXCEEDED (REST 504)
   * naming what each target did. A shorter client deadline ends the call first, the same way.
   */
  SOPHIA_FIRST_TOKEN_BOUND_MS: configValues.durationMs(15_000),
  /**
   * Hedging: a target silent past 2 × its own recent p99 time to first token (never sooner than
   * this) gets the next target started alongside; the first to answer wins. Above the serverless
   * backend's own provider failover (SOPHIA_SERVERLESS_FAILOVER_FIRST_TOKEN_MS), so a second provider
   * is tried before the GPU.
   */
  SOPHIA_ROUTER_HEDGE_MIN_MS: configValues.durationMs(2000),
  /** Hedges earned per routed request (0.05 = at most ~5 % extra upstream calls); 0 turns hedging off. */
  SOPHIA_ROUTER_HEDGE_BUDGET_RATIO: z.coerce.number().min(0).max(1).default(0.05),
  /**
   * When budgets cannot be checked — the ledger refuses because Redis is away, or the ledger itself
   * does not answer a reservation in time: `serve` (default) calls the upstream unreserved and logs it;
   * `refuse` answers 503 instead. The same key, with the same meaning, as the ledger's.
   */
  SOPHIA_REDIS_OUTAGE: z.enum(['serve', 'refuse']).default('serve'),
  /** An upstream Retry-After longer than this is not waited for. */
  SOPHIA_ROUTER_MAX_RETRY_AFTER_MS: configValues.durationMs(2000),
  /** Routing policy file (YAML/JSON); unset = apps/router/policy/default.yaml. Reloaded on change. */
  SOPHIA_ROUTING_POLICY_PATH: z.string().min(1).optional(),
  /** Redis for overrides shared by all replicas (redis://, rediss:// or redis+sentinel://…); unset = overrides in the embedded SQLite file under SOPHIA_DATA_DIR. */
  SOPHIA_REDIS_URL: redisTargetSchema.optional(),
  SOPHIA_ROUTER_REDIS_PREFIX: z.string().min(1).default('sophia:router:'),
  /** How often the GPU pool's queue depth is polled (InferenceService.GetCapacity). */
  SOPHIA_GPU_CAPACITY_POLL_MS: configValues.durationMs(1000),
  /** A capacity snapshot older than this is ignored. */
  SOPHIA_GPU_CAPACITY_STALE_MS: configValues.durationMs(5000),
  /** How long a tenant's budget utilisation (ledger BudgetStatus) is reused before a background refresh. */
  SOPHIA_BUDGET_HEADROOM_TTL_MS: configValues.durationMs(5000),
  /** Budget for a tenant's first budget lookup (later ones are served from cache). */
  SOPHIA_BUDGET_HEADROOM_TIMEOUT_MS: configValues.durationMs(100),
});

export type RouterConfig = z.infer<typeof routerConfigSchema>;

/**
 * The schema's defaults, for parts built without a parsed config (tests, tools): defaults live only
 * in the schema above, so a handler built from code behaves like a router started with no keys set.
 */
export const ROUTER_DEFAULTS: RouterConfig = routerConfigSchema.parse({});
