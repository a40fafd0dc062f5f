import type { RoutingOverride } from './routing-override.ts';
import { loadCatalog, type CatalogBackend } from '@sophia/price-catalog';
import { planRoute, UnknownModelError } from './route-plan.ts';
import type { BreakerState } from './target-breakers.ts';

const catalog = loadCatalog();
const both = new Set<CatalogBackend>(['serverless', 'gpu']);
const closed = (): BreakerState => 'closed';
const simple = catalog.modelsForTier('simple');
const first = simple[0]!;

describe('planRoute', () => {
  const cases: Array<{
    name: string;
    tier: 'simple' | 'balanced' | 'complex' | undefined;
    model?: string;
    backends?: CatalogBackend[];
    open?: string[];
    expectTier: string;
    expectFirst: string;
    expectReasons: RegExp[];
  }> = [
    { name: 'classified simple goes serverless first', tier: 'simple', expectTier: 'simple', expectFirst: `serverless:${first.id}`, expectReasons: [/^classified:simple$/, /^serverless_first$/] },
    {
      name: 'open serverless breaker moves GPU to the front',
      tier: 'simple',
      open: [`serverless:${first.id}`],
      expectTier: 'simple',
      expectFirst: first.gpu ? `gpu:${first.id}` : `serverless:${simple[1]!.id}`,
      expectReasons: [/^breaker_open:serverless:/],
    },
    { name: 'classifier down routes on the default tier', tier: undefined, expectTier: 'balanced', expectFirst: `serverless:${catalog.modelsForTier('balanced')[0]!.id}`, expectReasons: [/^classifier_unavailable:default_balanced$/] },
    { name: 'explicit model is honoured whatever the classifier says', tier: 'simple', model: catalog.modelsForTier('complex')[0]!.id, expectTier: 'complex', expectFirst: `serverless:${catalog.modelsForTier('complex')[0]!.id}`, expectReasons: [/^explicit_model$/] },
    { name: '"auto" means the router chooses', tier: 'complex', model: 'auto', expectTier: 'complex', expectFirst: `serverless:${catalog.modelsForTier('complex')[0]!.id}`, expectReasons: [/^classified:complex$/] },
    { name: 'GPU-only mesh', tier: 'simple', backends: ['gpu'], expectTier: 'simple', expectFirst: `gpu:${simple.find((m) => m.gpu)!.id}`, expectReasons: [/^gpu_only$/] },
  ];

  it.each(cases)('$name', (c) => {
    const plan = planRoute({
      catalog,
      classifiedTier: c.tier,
      explicitModel: c.model ?? '',
      backendsAvailable: c.backends ? new Set(c.backends) : both,
      breakerState: (k) => (c.open?.includes(k) ? 'open' : closed()),
    });
    expect(plan.tier).toBe(c.expectTier);
    expect(plan.targets[0]?.key).toBe(c.expectFirst);
    for (const r of c.expectReasons) expect(plan.reasons.some((x) => r.test(x))).toBe(true);
  });

  it('a backend override scoped to a tier applies to that tier only; a split override replaces the policy share', () => {
    const base = { id: 'o1', kind: 'backend' as const, scope: 'tier' as const, scopeValue: 'complex', backend: 'gpu' as const, createdBy: 'ops', reason: 't', createdAt: 0 };
    const plan = (tier: 'simple' | 'complex', overrides: RoutingOverride[], splitDraw?: number) =>
      planRoute({ catalog, classifiedTier: tier, explicitModel: '', backendsAvailable: both, breakerState: () => closed(), overrides, now: 1, splitDraw });
    expect(plan('complex', [base]).targets[0]?.backend).toBe('gpu');
    expect(plan('complex', [base]).reasons).toContain('override_backend:gpu:o1');
    expect(plan('simple', [base]).targets[0]?.backend).toBe('serverless');
    const split: RoutingOverride = { id: 's1', kind: 'split', scope: 'global', scopeValue: '', gpuShare: 0.3, createdBy: 'ops', reason: 't', createdAt: 0 };
    expect(plan('simple', [split], 0.29).targets[0]?.backend).toBe('gpu');
    expect(plan('simple', [split], 0.29).reasons).toContain('split:gpu:s1');
    expect(plan('simple', [split], 0.31).targets[0]?.backend).toBe('serverless');
  });

  it('orders serverless then GPU for each model, then the next model of the tier', () => {
    const plan = planRoute({ catalog, classifiedTier: 'simple', explicitModel: '', backendsAvailable: both, breakerState: closed });
    const expected = simple.flatMap((m) => [m.serverless ? `serverless:${m.id}` : undefined, m.gpu ? `gpu:${m.id}` : undefined].filter(Boolean));
    expect(plan.targets.map((t) => t.key)).toEqual(expected);
  });

  it('never swaps an explicit model for another one, even when its targets are open', () => {
    const model = catalog.modelsForTier('balanced')[0]!;
    const plan = planRoute({ catalog, classifiedTier: undefined, explicitModel: model.id, backendsAvailable: both, breakerState: () => 'open' });
    expect(new Set(plan.targets.map((t) => t.model.id))).toEqual(new Set([model.id]));
  });

  it('rejects an unknown explicit model', () => {
    expect(() => planRoute({ catalog, classifiedTier: 'simple', explicitModel: 'gpt-7', backendsAvailable: both, breakerState: closed })).toThrow(UnknownModelError);
  });
});
