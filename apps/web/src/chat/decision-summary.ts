import type { RoutingDecision } from '@sophia/contracts/common';
import { backendLabel, tierLabel } from '../rpc/enum-labels.ts';
import { formatUsd } from '../ui/format.ts';

/** One labelled fact of a routing decision, as the answer's card shows it. */
export interface DecisionFact {
  readonly label: string;
  readonly value: string;
}

/**
 * The routing decision as the chat shows it under an answer: tier, model, backend, cost (the real cost
 * once the answer is done, the worst case before), fallback and attempts, and the router's
 * reasons (a rescue shows there).
 */
export function decisionFacts(decision: RoutingDecision, final: boolean): DecisionFact[] {
  const worstCase = decision.worstCaseCost ?? decision.estimatedCost;
  const cost = final && decision.cost ? formatUsd(decision.cost.microUsd) : worstCase ? `≤ ${formatUsd(worstCase.microUsd)} (worst case)` : '—';
  return [
    { label: 'Tier', value: tierLabel(decision.tier) },
    { label: 'Model', value: decision.model || '—' },
    { label: 'Backend', value: backendLabel(decision.backend) },
    { label: 'Cost', value: cost },
    { label: 'Fallback', value: decision.fallback ? `yes (${decision.attempts} attempts)` : 'no' },
    { label: 'Why', value: decision.reasons.join('; ') || '—' },
  ];
}
