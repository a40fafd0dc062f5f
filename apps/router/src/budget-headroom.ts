/**
 * A tenant's budget position, for the policy's `step_down_at_utilisation` rule. The ledger's budget
 * RPCs are not available yet, so the default knows nothing and the rule never fires.
 */
export interface BudgetHeadroom {
  /** `utilisation` = spent / budget for the current period; undefined when unknown or no budget. */
  headroom(tenant: string): Promise<{ utilisation: number } | undefined>;
}

/** The default: no budget information (no step-down). */
export const NO_BUDGET_HEADROOM: BudgetHeadroom = { headroom: async () => undefined };
