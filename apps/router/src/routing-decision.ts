import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { RoutingDecisionSchema, type RoutingDecision } from '@sophia/contracts/common';
import { backendToProto, tierToProto, worstCase, type PriceCatalog } from '@sophia/price-catalog';
import type { PreparedRequest } from './request-preparer.ts';
import type { RouteTarget } from './route-plan.ts';
import { completionBound } from './completion-bound.ts';

/** Decision fields only known once targets were tried. */
export type DecisionExtras = Pick<MessageInitShape<typeof RoutingDecisionSchema>, 'fallback' | 'attempts' | 'reasons' | 'provider'>;

/** Builds the RoutingDecision a client and the ledger see for a prepared request on a target. */
export type DecisionBuilder = (p: PreparedRequest, target: RouteTarget | undefined, extra?: DecisionExtras) => RoutingDecision;

/**
 * The "decide" step's output: tier, classification, chosen target and its worst-case cost at list
 * price — computed once per request and target (a leg's decision is built for the first event, the
 * bill and the final event) and carried from there.
 */
export function createDecisionBuilder(catalog: () => PriceCatalog): DecisionBuilder {
  const estimates = new WeakMap<PreparedRequest, Map<string, number>>();
  const estimateOf = (p: PreparedRequest, target: RouteTarget): number => {
    let known = estimates.get(p);
    if (!known) estimates.set(p, (known = new Map()));
    let value = known.get(target.key);
    if (value === undefined) {
      const maxTokens = completionBound(p.input.params, target.model);
      value = worstCase(catalog(), target.model.id, target.backend, p.promptTokens, maxTokens);
      known.set(target.key, value);
    }
    return value;
  };
  return (p, target, extra = {}) => {
    const estimated = target ? estimateOf(p, target) : 0;
    return create(RoutingDecisionSchema, {
      tier: tierToProto(p.plan.tier),
      taskType: p.classification?.taskType ?? 0,
      score: p.classification?.score ?? 0,
      model: target?.model.id ?? '',
      backend: target ? backendToProto(target.backend) : 0,
      target: target?.key ?? '',
      reasons: [...p.plan.reasons],
      worstCaseCost: { microUsd: BigInt(estimated) },
      // Deprecated twin of worstCaseCost, still filled for clients that read it.
      estimatedCost: { microUsd: BigInt(estimated) },
      ...extra,
    });
  };
}
