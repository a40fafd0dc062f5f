import { create } from '@bufbuild/protobuf';
import { Backend, MoneySchema, RoutingDecisionSchema, TaskType, Tier } from '@sophia/contracts/common';
import { decisionHeaders, microUsdToDecimal, sophiaDecisionView } from './decision-view.ts';

describe('microUsdToDecimal', () => {
  it.each([
    [0n, '0.000000'],
    [42n, '0.000042'],
    [1_000_000n, '1.000000'],
    [12_345_678_901n, '12345.678901'],
    [-1_500n, '-0.001500'],
  ])('%s µ$ → %s', (micro, text) => expect(microUsdToDecimal(micro)).toBe(text));
});

describe('decision view', () => {
  const decision = create(RoutingDecisionSchema, {
    tier: Tier.COMPLEX,
    taskType: TaskType.MATH_REASONING,
    model: 'llama-3.1-405b',
    backend: Backend.GPU,
    target: 'gpu:pool-a',
    fallback: true,
    attempts: 2,
    reasons: ['fallback: serverless 503'],
    worstCaseCost: { microUsd: 9_000n },
    estimatedCost: { microUsd: 9_000n },
  });
  it('names enums in lower case and leaves cost null until known', () => {
    expect(sophiaDecisionView(decision)).toEqual({
      tier: 'complex',
      task_type: 'math_reasoning',
      model: 'llama-3.1-405b',
      backend: 'gpu',
      provider: null,
      target: 'gpu:pool-a',
      fallback: true,
      attempts: 2,
      reasons: ['fallback: serverless 503'],
      worst_case_cost_usd: '0.009000',
      estimated_cost_usd: '0.009000',
      cost_usd: null,
      cache_hit: false,
      cache_saved_usd: null,
    });
    expect(decisionHeaders(decision)).toEqual({ 'x-sophia-tier': 'complex', 'x-sophia-model': 'llama-3.1-405b', 'x-sophia-backend': 'gpu', 'x-sophia-fallback': 'true' });
  });
  it('says a replayed answer came from the cache: cost 0, what it saved, and the stored answer\'s backend', () => {
    const hit = ({ ...decision, cost: create(MoneySchema, { microUsd: 0n }), cacheHit: true, cacheSaved: create(MoneySchema, { microUsd: 1_234n }) });
    expect(sophiaDecisionView(hit)).toMatchObject({ backend: 'gpu', cost_usd: '0.000000', cache_hit: true, cache_saved_usd: '0.001234' });
  });
  it('names the worst case for what it is, keeping the old name as an alias, also from a router that sets only the old field', () => {
    const fromOldRouter = create(RoutingDecisionSchema, { estimatedCost: { microUsd: 329n }, cost: { microUsd: 3n } });
    expect(sophiaDecisionView(fromOldRouter)).toMatchObject({ worst_case_cost_usd: '0.000329', estimated_cost_usd: '0.000329', cost_usd: '0.000003' });
    const unpriced = create(RoutingDecisionSchema, {});
    expect(sophiaDecisionView(unpriced)).toMatchObject({ worst_case_cost_usd: null, estimated_cost_usd: null, cost_usd: null });
  });
  it('names the serverless provider that answered, in the body and a header', () => {
    const served = create(RoutingDecisionSchema, { backend: Backend.SERVERLESS, provider: 'deepinfra' });
    expect([sophiaDecisionView(served).provider, decisionHeaders(served)['x-sophia-provider']]).toEqual(['deepinfra', 'deepinfra']);
  });
  it('adds the cost header once the cost is known', () => {
    expect(decisionHeaders(create(RoutingDecisionSchema, { cost: { microUsd: 1_234n } }))['x-sophia-cost-usd']).toBe('0.001234');
  });
});
