import type { CatalogBackend, CatalogTier, FeatureNeed, PriceCatalog } from '@sophia/price-catalog';
import { filterByCapability } from './capability-filter.ts';
import type { Logger } from 'pino';
import type { BudgetHeadroom } from './budget-headroom.ts';
import type { CapacitySnapshot } from './capacity-snapshot.ts';
import type { OverrideStore } from './override-store.ts';
import { planRoute, type RoutePlan } from './route-plan.ts';
import { describeOverride, type RoutingOverride } from './routing-override.ts';
import type { RoutingPolicy } from './routing-policy.ts';
import { splitDraw } from './split-draw.ts';
import type { BreakerState } from './target-breakers.ts';

/** The live state the planner reads for each request. */
export interface RequestPlannerDeps {
  readonly catalog: () => PriceCatalog;
  readonly policy: () => RoutingPolicy;
  readonly overrides: OverrideStore;
  readonly headroom: BudgetHeadroom;
  readonly capacity: () => CapacitySnapshot | undefined;
  readonly breakerState: (key: string) => BreakerState;
  readonly backendsAvailable: ReadonlySet<CatalogBackend>;
  readonly clock: () => number;
  readonly logger: Logger;
}

/** One request's facts, after validation and classification. */
export interface PlanRequest {
  readonly requestId: string;
  readonly tenant: string;
  readonly workloadTag: string;
  readonly explicitModel: string;
  readonly qualityTarget: string | undefined;
  readonly classifiedTier: CatalogTier | undefined;
  readonly score: number | undefined;
  /** Features the request uses (tools, JSON, images, …); only targets that have them all are planned. @default none */
  readonly needs?: readonly FeatureNeed[] | undefined;
}

function hasStepDown(policy: RoutingPolicy, tenant: string): boolean {
  const own = policy.tenants[tenant]?.step_down_at_utilisation;
  return typeof (own !== undefined ? own : policy.budget.step_down_at_utilisation) === 'number';
}

/** What a plan reads besides the request's classification: gathered while the classifier runs. */
export interface PlanState {
  readonly now: number;
  readonly policy: RoutingPolicy;
  readonly stored: readonly RoutingOverride[];
  readonly utilisation: number | undefined;
  /** Reasons to add (a store that could not be read). */
  readonly notes: readonly string[];
}

/**
 * Reads the live state a tenant's plan depends on — overrides, and the budget headroom when the
 * policy has a step-down rule — none of which depends on the classification, so the preparer runs
 * this beside the classifier call instead of after it. Never throws: an unreadable store is a note.
 */
export async function gatherPlanState(deps: RequestPlannerDeps, tenant: string): Promise<PlanState> {
  const now = deps.clock();
  const policy = deps.policy();
  const notes: string[] = [];
  const overrides = deps.overrides.list(now).catch((err: unknown) => {
    deps.logger.warn({ err: (err as Error).message }, 'override store unavailable: routing without overrides');
    notes.push('overrides_unavailable');
    return [] as RoutingOverride[];
  });
  const headroom = hasStepDown(policy, tenant)
    ? deps.headroom.headroom(tenant).then(
        (h) => h?.utilisation,
        (err: unknown) => {
          deps.logger.warn({ err: (err as Error).message, tenant }, 'budget headroom unavailable: no budget step-down');
          return undefined;
        },
      )
    : undefined;
  const [stored, utilisation] = await Promise.all([overrides, headroom]);
  return { now, policy, stored, utilisation, notes };
}

/**
 * Runs the pure planner on the gathered state (see gatherPlanState; gathered now when not given)
 * and, when `claim` is set (Generate, not Explain), claims the counted overrides the plan relies
 * on; a lost claim (another request took the last use) re-plans without that override, so a
 * request only ever consumes an override it is actually routed by.
 */
export async function planRequest(deps: RequestPlannerDeps, req: PlanRequest, claim: boolean, gathered?: Promise<PlanState>): Promise<RoutePlan> {
  const { now, policy, stored, utilisation, notes: gatheredNotes } = await (gathered ?? gatherPlanState(deps, req.tenant));
  const notes = [...gatheredNotes];
  const excluded = new Set<string>();
  const claimed = new Set<string>();
  for (;;) {
    const catalog = deps.catalog();
    const routed = planRoute({
      catalog,
      classifiedTier: req.classifiedTier,
      score: req.score,
      explicitModel: req.explicitModel,
      backendsAvailable: deps.backendsAvailable,
      breakerState: deps.breakerState,
      policy,
      tenant: req.tenant,
      workloadTag: req.workloadTag,
      qualityTarget: req.qualityTarget,
      overrides: stored,
      excludedOverrides: excluded,
      now,
      splitDraw: splitDraw(req.requestId),
      utilisation,
      capacity: deps.capacity(),
    });
    const plan = filterByCapability(routed, { catalog, needs: req.needs ?? [], explicitModel: req.explicitModel, backendsAvailable: deps.backendsAvailable, breakerState: deps.breakerState });
    const toClaim = claim ? plan.overrides.filter((o) => o.remaining !== undefined && !claimed.has(o.id)) : [];
    let lost = false;
    for (const o of toClaim) {
      let left: number | undefined;
      try {
        left = await deps.overrides.claim(o.id);
      } catch (err) {
        deps.logger.warn({ err: (err as Error).message, override: o.id }, 'override claim failed: routing without it');
        notes.push(`override_claim_failed:${o.id}`);
      }
      if (left === undefined) {
        excluded.add(o.id);
        lost = true;
        break;
      }
      claimed.add(o.id);
      if (left === 0) deps.logger.info({ audit: 'router.override.exhausted', id: o.id, requestId: req.requestId }, `override used up: ${describeOverride(o)}`);
    }
    if (!lost) return notes.length === 0 ? plan : { ...plan, reasons: [...plan.reasons, ...notes] };
  }
}
