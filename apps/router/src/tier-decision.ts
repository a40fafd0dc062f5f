import { CATALOG_TIERS, type CatalogModel, type CatalogTier, type PriceCatalog } from '@sophia/price-catalog';
import { resolveQuality, tierForScore } from './quality-target.ts';
import type { RoutingOverride } from './routing-override.ts';
import type { RoutingPolicy } from './routing-policy.ts';

/** Raised for an explicit model the catalog does not know. */
export class UnknownModelError extends Error {
  readonly model: string;
  constructor(model: string) {
    super(`model '${model}' is not in the catalog; use "auto" or one of ListModels`);
    this.name = 'UnknownModelError';
    this.model = model;
  }
}

/** Inputs to {@link decideTier}. */
export interface TierDecisionInput {
  readonly catalog: PriceCatalog;
  readonly classifiedTier: CatalogTier | undefined;
  /** Classifier score (P(small tier not good enough)); undefined when the classifier was unavailable. */
  readonly score?: number | undefined;
  readonly explicitModel: string;
  readonly fallbackTier?: CatalogTier | undefined;
  readonly policy: RoutingPolicy;
  readonly tenant: string;
  readonly qualityTarget?: string | undefined;
  /** Tenant budget utilisation in [0, ∞) from the ledger; undefined = unknown. */
  readonly utilisation?: number | undefined;
  /** Tier overrides in force for the request, best first. */
  readonly overrides: readonly RoutingOverride[];
}

/** The tier, its candidate models, the override relied on (if any) and the reasons. */
export interface TierDecision {
  readonly tier: CatalogTier;
  readonly models: readonly CatalogModel[];
  readonly override: RoutingOverride | undefined;
  readonly reasons: readonly string[];
}

function stepDownAt(policy: RoutingPolicy, tenant: string): number | null | undefined {
  const own = policy.tenants[tenant]?.step_down_at_utilisation;
  return own !== undefined ? own : policy.budget.step_down_at_utilisation;
}

/**
 * Explicit model (never swapped) > operator tier override > classifier tier re-tiered from the
 * score with the request/tenant/default quality thresholds, stepped down one tier when the tenant's
 * budget utilisation reaches the policy's `step_down_at_utilisation`.
 */
export function decideTier(input: TierDecisionInput): TierDecision {
  const explicit = input.explicitModel.trim();
  // A bad quality target is the caller's error whichever way the tier is then chosen.
  const quality = resolveQuality(input.policy, input.tenant, input.qualityTarget);
  if (explicit !== '' && explicit !== 'auto') {
    const model = input.catalog.findModel(explicit);
    if (!model) throw new UnknownModelError(explicit);
    return { tier: model.tier, models: [model], override: undefined, reasons: ['explicit_model'] };
  }
  const reasons: string[] = [];
  let tier: CatalogTier;
  if (input.classifiedTier) {
    tier = input.classifiedTier;
    reasons.push(`classified:${tier}`);
  } else {
    tier = input.fallbackTier ?? 'balanced';
    reasons.push(`classifier_unavailable:default_${tier}`);
  }
  const override = input.overrides.find((o) => o.tier !== undefined);
  if (override?.tier) {
    reasons.push(`override_tier:${override.tier}:${override.id}`);
    return { tier: override.tier, models: input.catalog.modelsForTier(override.tier), override, reasons };
  }
  if (quality && input.score !== undefined && input.classifiedTier) {
    reasons.push(`quality:${quality.source}:${quality.label}`);
    const retiered = tierForScore(input.score, quality);
    if (retiered !== tier) reasons.push(`retiered:${tier}->${retiered}`);
    tier = retiered;
  }
  const limit = stepDownAt(input.policy, input.tenant);
  const index = CATALOG_TIERS.indexOf(tier);
  if (typeof limit === 'number' && input.utilisation !== undefined && input.utilisation >= limit && index > 0) {
    const lower = CATALOG_TIERS[index - 1]!;
    reasons.push(`budget_step_down:${tier}->${lower}`);
    tier = lower;
  }
  return { tier, models: input.catalog.modelsForTier(tier), override: undefined, reasons };
}
