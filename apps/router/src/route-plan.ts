import type { CatalogBackend, CatalogModel, CatalogTier, PriceCatalog } from '@sophia/price-catalog';
import { chooseBackendPreference } from './backend-preference.ts';
import type { CapacitySnapshot } from './capacity-snapshot.ts';
import { matchOverrides, type RoutingOverride } from './routing-override.ts';
import { EMPTY_POLICY, type RoutingPolicy } from './routing-policy.ts';
import type { BreakerState } from './target-breakers.ts';
import { decideTier } from './tier-decision.ts';

export { UnknownModelError } from './tier-decision.ts';

/** One upstream attempt: a model on a backend. */
export interface RouteTarget {
  readonly backend: CatalogBackend;
  readonly model: CatalogModel;
  /** Stable breaker key and label, e.g. "serverless:meta-llama/Llama-3.1-8B-Instruct". */
  readonly key: string;
}

/**
 * Inputs to {@link planRoute}; everything the decision depends on, so it is a pure function. The
 * policy inputs are optional: without them the plan is the classifier tier, serverless first.
 */
export interface RoutePlanInput {
  readonly catalog: PriceCatalog;
  /** Tier chosen by the classifier, or undefined when it was unavailable. */
  readonly classifiedTier: CatalogTier | undefined;
  /** Explicit model from the request ("" / "auto" = none). */
  readonly explicitModel: string;
  /** Backends this router has a client for. */
  readonly backendsAvailable: ReadonlySet<CatalogBackend>;
  readonly breakerState: (key: string) => BreakerState;
  /** Tier used when the classifier is unavailable. @default "balanced" */
  readonly fallbackTier?: CatalogTier;
  /** Classifier score, for re-tiering with the quality thresholds. */
  readonly score?: number | undefined;
  readonly policy?: RoutingPolicy | undefined;
  readonly tenant?: string | undefined;
  readonly workloadTag?: string | undefined;
  /** The request's quality target (level name or number in [0, 1]). */
  readonly qualityTarget?: string | undefined;
  /** Overrides stored now (matching and expiry are decided here). */
  readonly overrides?: readonly RoutingOverride[] | undefined;
  /** Overrides whose claim another request won: plan as if they were gone. */
  readonly excludedOverrides?: ReadonlySet<string> | undefined;
  /** Epoch ms, for override expiry. */
  readonly now?: number | undefined;
  /** Deterministic traffic-split draw in [0, 1) (see splitDraw). */
  readonly splitDraw?: number | undefined;
  /** Tenant budget utilisation (spent / budget), when known. */
  readonly utilisation?: number | undefined;
  readonly capacity?: CapacitySnapshot | undefined;
}

/** The decision: tier, first-choice target, the ordered fallbacks, the overrides it relies on and the reasons. */
export interface RoutePlan {
  readonly tier: CatalogTier;
  readonly targets: readonly RouteTarget[];
  /** Overrides this plan applies; counted ones must be claimed before the plan is used. */
  readonly overrides: readonly RoutingOverride[];
  readonly reasons: readonly string[];
}

const BACKEND_ORDER: readonly CatalogBackend[] = ['serverless', 'gpu'];

/** The targets of one model on the backends this router has, serverless first. */
export function targetsFor(model: CatalogModel, available: ReadonlySet<CatalogBackend>): RouteTarget[] {
  return BACKEND_ORDER.filter((b) => available.has(b) && (b === 'serverless' ? model.serverless : model.gpu) !== undefined).map((backend) => ({
    backend,
    model,
    key: `${backend}:${model.id}`,
  }));
}

/**
 * Tier (see decideTier), then targets: by default, for each model of the tier in catalog order,
 * serverless then GPU; when a backend is preferred (override, GPU capacity, traffic split) its
 * targets go first. Targets whose breaker is open move to the back, so a healthy target is tried
 * first while the open one still gets its half-open probe when nothing else is left.
 */
export function planRoute(input: RoutePlanInput): RoutePlan {
  const policy = input.policy ?? EMPTY_POLICY;
  const now = input.now ?? 0;
  const subject = { tenant: input.tenant ?? '', workloadTag: input.workloadTag ?? '' };
  const stored = input.overrides ?? [];
  const tierDecision = decideTier({
    catalog: input.catalog,
    classifiedTier: input.classifiedTier,
    score: input.score,
    explicitModel: input.explicitModel,
    fallbackTier: input.fallbackTier,
    policy,
    tenant: subject.tenant,
    qualityTarget: input.qualityTarget,
    utilisation: input.utilisation,
    overrides: matchOverrides(stored, 'tier', subject, now, input.excludedOverrides),
  });
  const reasons = [...tierDecision.reasons];
  const all = tierDecision.models.flatMap((m) => targetsFor(m, input.backendsAvailable));
  const isOpen = (t: RouteTarget): boolean => input.breakerState(t.key) === 'open';
  const healthy = all.filter((t) => !isOpen(t));
  const open = all.filter(isOpen);
  // Backend and split overrides may be scoped to the tier just decided.
  const routed = { ...subject, tier: tierDecision.tier };
  const preference = chooseBackendPreference({
    tier: tierDecision.tier,
    policy,
    overrides: matchOverrides(stored, 'backend', routed, now, input.excludedOverrides),
    split: matchOverrides(stored, 'split', routed, now, input.excludedOverrides)[0],
    healthy: new Set(healthy.map((t) => t.backend)),
    capacity: input.capacity,
    splitDraw: input.splitDraw,
  });
  reasons.push(...preference.reasons);
  const prefer = preference.prefer;
  const ordered = prefer === undefined ? healthy : [...healthy.filter((t) => t.backend === prefer), ...healthy.filter((t) => t.backend !== prefer)];
  for (const t of open) reasons.push(`breaker_open:${t.key}`);
  const targets = [...ordered, ...open];
  const first = targets[0];
  if (first && prefer === undefined) {
    reasons.push(first.backend === 'serverless' ? 'serverless_first' : all[0]?.backend === 'serverless' ? 'gpu_because_serverless_open' : 'gpu_only');
  }
  const overrides = [tierDecision.override, preference.override].filter((o): o is RoutingOverride => o !== undefined);
  return { tier: tierDecision.tier, targets, overrides, reasons };
}

/** The code of a reason (the part before the first ':'), the only form used as a metric label. */
export function reasonCode(reason: string): string {
  const i = reason.indexOf(':');
  return i === -1 ? reason : reason.slice(0, i);
}
