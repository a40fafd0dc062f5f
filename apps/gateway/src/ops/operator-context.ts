import type { Client } from '@connectrpc/connect';
import type { LedgerService } from '@sophia/contracts/ledger';
import type { RouterService } from '@sophia/contracts/router';
import type { Logger } from '@sophia/platform';
import type { PlanStore } from './plans/plan-store.ts';
import type { FleetOperations } from './fleet-operations.ts';
import type { PromptRepeatStore } from './prompts/prompt-repeat-store.ts';
import type { LlmFallback } from './llm-fallback.ts';
import type { RateLimitSource } from '../rate-limit/rate-limit-source.ts';

/** What the operator commands act on, injected (tests pass fakes or in-memory transports). */
export interface OperatorContext {
  readonly router: Client<typeof RouterService>;
  /** The ledger (usage, savings, budgets, audit); undefined = reports, budgets and writes are unavailable. */
  readonly ledger: Client<typeof LedgerService> | undefined;
  /** GPU fleet management; undefined until configured (gpu.* answer FAILED_PRECONDITION). */
  readonly fleet: FleetOperations | undefined;
  readonly plans: PlanStore;
  /** Prompt fingerprints of answered chat requests (costs.optimize's repeated prompts); undefined = not measured. */
  readonly prompts?: PromptRepeatStore;
  /** The gateway's per-tenant rate limits (ratelimits.*); undefined = not available here. */
  readonly rateLimits?: RateLimitSource;
  /** Reads text the rules could not (SOPHIA_OPS_LLM_FALLBACK); undefined = rules only. */
  readonly llmFallback?: LlmFallback;
  readonly logger: Logger;
  /** SOPHIA_BUDGET_TIMEZONE: the zone report dates and relative periods are read in. */
  readonly timeZone: string;
  /** How long a plan may be confirmed. @default 10 minutes */
  readonly planTtlMs: number;
  /** Deadline for each internal call. */
  readonly callTimeoutMs: number;
  readonly now: () => number;
}
