// Operator plans: a change proposed by one caller, applied at most once when confirmed before it
// expires. Operational state — durable in the embedded SQLite file or in Redis, never in memory.

/** A stored plan. Times are epoch ms. */
export interface PlanRecord {
  readonly id: string;
  /** The tenant whose key made the plan (only it, or an admin, may confirm). */
  readonly tenant: string;
  readonly intent: string;
  /** The validated command args, as JSON. */
  readonly argsJson: string;
  readonly summary: string;
  readonly costEffect: string;
  readonly monthlyCostDeltaUsd?: number | undefined;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  readonly status: 'pending' | 'applying' | 'applied';
  readonly appliedAtMs?: number | undefined;
  readonly appliedBy?: string | undefined;
  readonly auditId?: string | undefined;
  /** What applying did (CommandResult JSON), kept for GetPlan. */
  readonly resultJson?: string | undefined;
}

/** The outcome of trying to claim a plan for applying. */
export type PlanClaim =
  | { readonly kind: 'claimed'; readonly plan: PlanRecord }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'expired'; readonly plan: PlanRecord }
  | { readonly kind: 'applied'; readonly plan: PlanRecord }
  | { readonly kind: 'in_progress'; readonly plan: PlanRecord };

/** What applying wrote down. */
export interface PlanApplied {
  readonly appliedAtMs: number;
  readonly appliedBy: string;
  readonly auditId: string;
  readonly resultJson: string;
}

/**
 * Plans, shared by every gateway replica. `claim` is the only way to start applying: it moves a
 * pending, unexpired plan to `applying` atomically, so two confirmations race to one winner.
 */
export interface PlanStore {
  create(plan: PlanRecord): Promise<void>;
  get(id: string): Promise<PlanRecord | undefined>;
  /** pending and unexpired at `nowMs` → applying; anything else says why not. */
  claim(id: string, nowMs: number): Promise<PlanClaim>;
  /** applying → applied, with what was done. */
  finish(id: string, applied: PlanApplied): Promise<void>;
  /** applying → pending again (applying failed; the caller may retry before expiry). */
  release(id: string): Promise<void>;
}

/** How long a plan is kept after it expired or was applied, for GetPlan and clear errors. */
export const PLAN_RETENTION_MS = 7 * 86_400_000;
