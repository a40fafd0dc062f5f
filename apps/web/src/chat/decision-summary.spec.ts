import { create } from '@bufbuild/protobuf';
import { Backend, RoutingDecisionSchema, Tier } from '@sophia/contracts/common';
import { decisionFacts } from './decision-summary.ts';

describe('decisionFacts', () => {
  const decision = create(RoutingDecisionSchema, {
    tier: Tier.BALANCED,
    model: 'llama-70b',
    backend: Backend.GPU,
    fallback: true,
    attempts: 2,
    reasons: ['classified:balanced', 'rescue:serverless_failed'],
    worstCaseCost: { microUsd: 900n },
    cost: { microUsd: 42n },
  });

  it('shows the worst case before the answer is done and the real cost after', () => {
    const before = Object.fromEntries(decisionFacts(decision, false).map((f) => [f.label, f.value]));
    expect(before['Cost']).toBe('≤ $0.0009 (worst case)');
    const after = Object.fromEntries(decisionFacts(decision, true).map((f) => [f.label, f.value]));
    expect(after).toEqual({ Tier: 'balanced', Model: 'llama-70b', Backend: 'GPU', Cost: '$0.000042', Fallback: 'yes (2 attempts)', Why: 'classified:balanced; rescue:serverless_failed' });
  });

  it('reads the deprecated estimatedCost from a router that sets only that', () => {
    const old = create(RoutingDecisionSchema, { estimatedCost: { microUsd: 900n } });
    expect(decisionFacts(old, false).find((f) => f.label === 'Cost')?.value).toBe('≤ $0.0009 (worst case)');
  });
});
