import type { CatalogBackend, CatalogModel, CatalogTier, PriceCatalog } from '@sophia/price-catalog';
import type { BreakerState } from './target-breakers.ts';

/** One upstream attempt: a model on a backend. */
export interface RouteTarget {
  readonly backend: CatalogBackend;
  readonly model: CatalogModel;
  /** Stable breaker key and label, e.g. "serverless:meta-llama/Llama-3.1-8B-Instruct". */
  readonly key: string;
}

/** Inputs to {@link planRoute}; everything the decision depends on, so it is a pure function. */
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
}

/** The decision: tier, first-choice target, the ordered fallbacks and the reasons. */
export interface RoutePlan {
  readonly tier: CatalogTier;
  readonly targets: readonly RouteTarget[];
  readonly reasons: readonly string[];
}

/** Raised for an explicit model the catalog does not know. */
export class UnknownModelError extends Error {
  readonly model: string;
  constructor(model: string) {
    super(`model '${model}' is not in the catalog; use "auto" or one of ListModels`);
    this.name = 'UnknownModelError';
    this.model = model;
  }
}

const BACKEND_ORDER: readonly CatalogBackend[] = ['serverless', 'gpu'];

function targetsFor(model: CatalogModel, available: ReadonlySet<CatalogBackend>): RouteTarget[] {
  return BACKEND_ORDER.filter((b) => available.has(b) && (b === 'serverless' ? model.serverless : model.gpu) !== undefined).map((backend) => ({
    backend,
    model,
    key: `${backend}:${model.id}`,
  }));
}

/**
 * Serverless first, then GPU, for the chosen model; then the other models of the same tier. An
 * explicit model is honoured and never swapped for another model. Targets whose breaker is open
 * move to the back, so a healthy target is tried first while the open one still gets its
 * half-open probe when nothing else is left.
 */
export function planRoute(input: RoutePlanInput): RoutePlan {
  const reasons: string[] = [];
  const explicit = input.explicitModel.trim();
  let tier: CatalogTier;
  let models: readonly CatalogModel[];
  if (explicit !== '' && explicit !== 'auto') {
    const model = input.catalog.findModel(explicit);
    if (!model) throw new UnknownModelError(explicit);
    tier = model.tier;
    models = [model];
    reasons.push('explicit_model');
  } else if (input.classifiedTier) {
    tier = input.classifiedTier;
    models = input.catalog.modelsForTier(tier);
    reasons.push(`classified:${tier}`);
  } else {
    tier = input.fallbackTier ?? 'balanced';
    models = input.catalog.modelsForTier(tier);
    reasons.push(`classifier_unavailable:default_${tier}`);
  }
  const all = models.flatMap((m) => targetsFor(m, input.backendsAvailable));
  const healthy = all.filter((t) => input.breakerState(t.key) !== 'open');
  const open = all.filter((t) => input.breakerState(t.key) === 'open');
  for (const t of open) reasons.push(`breaker_open:${t.key}`);
  const targets = [...healthy, ...open];
  const first = targets[0];
  if (first) reasons.push(first.backend === 'serverless' ? 'serverless_first' : all[0]?.backend === 'serverless' ? 'gpu_because_serverless_open' : 'gpu_only');
  return { tier, targets, reasons };
}
