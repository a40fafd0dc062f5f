import { Code, ConnectError } from '@connectrpc/connect';
import { CATALOG_TIERS, targetFeatures, type CatalogBackend, type FeatureNeed, type PriceCatalog } from '@sophia/price-catalog';
import { targetsFor, type RoutePlan, type RouteTarget } from './route-plan.ts';
import type { BreakerState } from './target-breakers.ts';

/** What capability filtering needs besides the plan. */
export interface CapabilityInput {
  readonly catalog: PriceCatalog;
  /** The request's features, each with the OpenAI parameter that needs it (from requestNeeds). */
  readonly needs: readonly FeatureNeed[];
  /** The explicit model ("" when the router chose). */
  readonly explicitModel: string;
  readonly backendsAvailable: ReadonlySet<CatalogBackend>;
  readonly breakerState: (key: string) => BreakerState;
}

const invalid = (message: string): ConnectError => new ConnectError(message, Code.InvalidArgument);

function serves(t: RouteTarget, needs: readonly FeatureNeed[]): boolean {
  const has = targetFeatures(t.model, t.backend);
  return needs.every((n) => has.has(n.feature));
}

/**
 * Keeps only the plan's targets that can serve every feature the request uses, so a tool-calling
 * request never falls back to a model (or backend) without tools and no parameter is silently
 * dropped. An explicit model that cannot serve it is a 400 naming the parameter. A routed request
 * whose tier has no capable model moves to the nearest tier's capable models (same tier, then up,
 * then down; models outside the tier lists included), with a `capability:` reason; when no model of
 * the catalog can serve it, a 400 names the parameter.
 */
export function filterByCapability(plan: RoutePlan, input: CapabilityInput): RoutePlan {
  const explicit = input.explicitModel.trim() !== '' && input.explicitModel !== 'auto';
  const first = plan.targets[0];
  if (first && first.model.kind !== 'chat') {
    throw invalid(`model: "${first.model.id}" is an ${first.model.kind} model; use POST /v1/embeddings`);
  }
  if (input.needs.length === 0) return plan;
  const capable = plan.targets.filter((t) => serves(t, input.needs));
  if (capable.length > 0) return capable.length === plan.targets.length ? plan : { ...plan, targets: capable, reasons: [...plan.reasons, `capability:${input.needs.map((n) => n.feature).join('+')}`] };
  if (explicit) {
    const lacking = input.needs.find((n) => !plan.targets.some((t) => targetFeatures(t.model, t.backend).has(n.feature))) ?? input.needs[0]!;
    throw invalid(`${lacking.param}: model "${input.explicitModel}" does not support ${lacking.what}`);
  }
  const tierRank = CATALOG_TIERS.indexOf(plan.tier);
  const distance = (tier: (typeof CATALOG_TIERS)[number]): number => {
    const d = CATALOG_TIERS.indexOf(tier) - tierRank;
    return d >= 0 ? d * 2 : -d * 2 + 1; // same tier, then larger, then smaller
  };
  const widened = input.catalog.models
    .filter((m) => m.kind === 'chat')
    .map((m, i) => ({ m, i }))
    .sort((a, b) => distance(a.m.tier) - distance(b.m.tier) || Number(b.m.autoRoute) - Number(a.m.autoRoute) || a.i - b.i)
    .flatMap(({ m }) => targetsFor(m, input.backendsAvailable))
    .filter((t) => serves(t, input.needs));
  if (widened.length === 0) {
    const need = input.needs.find((n) => !input.catalog.models.some((m) => m.kind === 'chat' && ['serverless', 'gpu'].some((b) => targetFeatures(m, b as CatalogBackend).has(n.feature)))) ?? input.needs[0]!;
    throw invalid(`${need.param}: no model of the catalog supports ${input.needs.length > 1 ? `${need.what} together with ${input.needs.filter((n) => n !== need).map((n) => n.what).join(', ')}` : need.what}`);
  }
  const open = widened.filter((t) => input.breakerState(t.key) === 'open');
  const targets = [...widened.filter((t) => input.breakerState(t.key) !== 'open'), ...open];
  return { ...plan, targets, reasons: [...plan.reasons, `capability:${input.needs.map((n) => n.feature).join('+')}:${targets[0]!.model.id}`] };
}
