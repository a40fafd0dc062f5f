// Policy decisions as tables: planner inputs → tier, first target, reasons, overrides relied on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog, type CatalogBackend, type CatalogTier } from '@sophia/price-catalog';
import { InvalidQualityTargetError } from './quality-target.ts';
import { planRoute, reasonCode, type RoutePlanInput } from './route-plan.ts';
import type { RoutingOverride } from './routing-override.ts';
import { parseRoutingPolicy } from './routing-policy.ts';

const catalog = loadCatalog();
const base = parseRoutingPolicy(readFileSync(join(__dirname, '../policy/default.yaml'), 'utf8'));
const policy = parseRoutingPolicy(`
version: 1
quality:
  levels: ${JSON.stringify(base.quality.levels)}
gpu_share: { simple: 0.2 }
budget: { step_down_at_utilisation: 0.9 }
gpu_capacity: { prefer_idle_gpu_for: [simple], idle_when_running_below: 2, avoid_when_waiting_above: 5 }
tenants:
  gold: { quality: premium }
  thrifty: { quality: economy, step_down_at_utilisation: null }
  numeric: { quality: 0.7 }
`);
const NOW = 1_800_000_000_000;
const first = (tier: CatalogTier) => catalog.modelsForTier(tier)[0]!.id;

function ovr(partial: Partial<RoutingOverride> & Pick<RoutingOverride, 'id' | 'kind'>): RoutingOverride {
  return { scope: 'global', scopeValue: '', createdBy: 'ops', reason: 'test', createdAt: NOW - 1000, ...partial };
}
const gpuNext10 = ovr({ id: 'g10', kind: 'backend', backend: 'gpu', remaining: 10 });

type Row = {
  name: string;
  input: Partial<RoutePlanInput>;
  tier: CatalogTier;
  firstBackend: CatalogBackend;
  reasons: string[];
  uses?: string[];
};

const run = (input: Partial<RoutePlanInput>) =>
  planRoute({
    catalog,
    classifiedTier: 'simple',
    score: 0.1,
    explicitModel: '',
    backendsAvailable: new Set<CatalogBackend>(['serverless', 'gpu']),
    breakerState: () => 'closed',
    policy,
    tenant: 'acme',
    workloadTag: '',
    now: NOW,
    splitDraw: 0.5,
    ...input,
  });

const rows: Row[] = [
  { name: 'no quality target: the classifier tier stands', input: { classifiedTier: 'balanced', score: 0.32 }, tier: 'balanced', firstBackend: 'serverless', reasons: ['classified:balanced', 'serverless_first'] },
  { name: 'request premium re-tiers simple up', input: { score: 0.28, qualityTarget: 'premium' }, tier: 'balanced', firstBackend: 'serverless', reasons: ['classified:simple', 'quality:request:premium', 'retiered:simple->balanced'] },
  { name: 'request economy re-tiers balanced down', input: { classifiedTier: 'balanced', score: 0.35, qualityTarget: 'economy' }, tier: 'simple', firstBackend: 'serverless', reasons: ['quality:request:economy', 'retiered:balanced->simple'] },
  { name: 'standard reproduces the classifier', input: { classifiedTier: 'complex', score: 0.38, qualityTarget: 'standard' }, tier: 'complex', firstBackend: 'serverless', reasons: ['quality:request:standard'] },
  { name: 'tenant level applies without a request target', input: { tenant: 'gold', score: 0.28 }, tier: 'balanced', firstBackend: 'serverless', reasons: ['quality:tenant:premium', 'retiered:simple->balanced'] },
  { name: 'request target beats the tenant level', input: { tenant: 'gold', score: 0.25, qualityTarget: 'economy' }, tier: 'simple', firstBackend: 'serverless', reasons: ['quality:request:economy'] },
  { name: 'numeric target interpolates between levels (q=0.7: balanced at 0.285)', input: { tenant: 'numeric', score: 0.29 }, tier: 'balanced', firstBackend: 'serverless', reasons: ['quality:tenant:q=0.7', 'retiered:simple->balanced'] },
  { name: 'numeric request target', input: { score: 0.26, qualityTarget: '0.7' }, tier: 'simple', firstBackend: 'serverless', reasons: ['quality:request:q=0.7'] },
  { name: 'classifier down: no score to re-tier, default tier', input: { classifiedTier: undefined, score: undefined, qualityTarget: 'premium' }, tier: 'balanced', firstBackend: 'serverless', reasons: ['classifier_unavailable:default_balanced'] },
  { name: 'budget near the limit steps down a tier', input: { classifiedTier: 'complex', utilisation: 0.95 }, tier: 'balanced', firstBackend: 'serverless', reasons: ['classified:complex', 'budget_step_down:complex->balanced'] },
  { name: 'budget below the limit keeps the tier', input: { classifiedTier: 'complex', utilisation: 0.89 }, tier: 'complex', firstBackend: 'serverless', reasons: ['classified:complex'] },
  { name: 'tenant with step-down disabled keeps the tier', input: { tenant: 'thrifty', classifiedTier: 'complex', score: 0.9, utilisation: 0.99 }, tier: 'complex', firstBackend: 'serverless', reasons: ['quality:tenant:economy'] },
  { name: 'simple cannot step down', input: { utilisation: 1.5 }, tier: 'simple', firstBackend: 'serverless', reasons: ['classified:simple'] },
  {
    name: 'tenant tier override wins over quality and budget',
    input: { classifiedTier: 'simple', qualityTarget: 'economy', utilisation: 0.99, overrides: [ovr({ id: 't1', kind: 'tier', scope: 'tenant', scopeValue: 'acme', tier: 'complex', expiresAt: NOW + 60_000 })] },
    tier: 'complex',
    firstBackend: 'serverless',
    reasons: ['classified:simple', 'override_tier:complex:t1'],
    uses: ['t1'],
  },
  { name: "another tenant's override does not apply", input: { overrides: [ovr({ id: 't1', kind: 'tier', scope: 'tenant', scopeValue: 'other', tier: 'complex' })] }, tier: 'simple', firstBackend: 'serverless', reasons: ['classified:simple'], uses: [] },
  {
    name: 'explicit model beats a tier override',
    input: { explicitModel: first('balanced'), overrides: [ovr({ id: 't1', kind: 'tier', tier: 'complex' })] },
    tier: 'balanced',
    firstBackend: 'serverless',
    reasons: ['explicit_model'],
    uses: [],
  },
  { name: '"next 10 to GPU" puts GPU first and is relied on', input: { overrides: [gpuNext10] }, tier: 'simple', firstBackend: 'gpu', reasons: ['override_backend:gpu:g10'], uses: ['g10'] },
  { name: 'a backend override reorders an explicit model', input: { explicitModel: first('complex'), overrides: [gpuNext10] }, tier: 'complex', firstBackend: 'gpu', reasons: ['explicit_model', 'override_backend:gpu:g10'], uses: ['g10'] },
  {
    name: 'workload pin beats a global override',
    input: { workloadTag: 'batch', overrides: [gpuNext10, ovr({ id: 'w1', kind: 'backend', scope: 'workload', scopeValue: 'batch', backend: 'serverless', createdAt: NOW - 5000 })] },
    tier: 'simple',
    firstBackend: 'serverless',
    reasons: ['override_backend:serverless:w1'],
    uses: ['w1'],
  },
  {
    name: 'newest override wins within a scope',
    input: { overrides: [ovr({ id: 'old', kind: 'backend', backend: 'serverless', createdAt: NOW - 9000 }), ovr({ id: 'new', kind: 'backend', backend: 'gpu', createdAt: NOW - 10 })] },
    tier: 'simple',
    firstBackend: 'gpu',
    reasons: ['override_backend:gpu:new'],
    uses: ['new'],
  },
  { name: 'expired override is ignored', input: { overrides: [ovr({ id: 'x', kind: 'backend', backend: 'gpu', expiresAt: NOW })] }, tier: 'simple', firstBackend: 'serverless', reasons: ['split:serverless'], uses: [] },
  { name: 'override whose claim was lost is planned without', input: { overrides: [gpuNext10], excludedOverrides: new Set(['g10']) }, tier: 'simple', firstBackend: 'serverless', reasons: ['split:serverless'], uses: [] },
  {
    name: 'GPU override is skipped (not consumed) while every GPU breaker is open',
    input: { overrides: [gpuNext10], breakerState: (k: string) => (k.startsWith('gpu:') ? 'open' : 'closed') },
    tier: 'simple',
    firstBackend: 'serverless',
    reasons: ['override_skipped:g10:gpu_unhealthy'],
    uses: [],
  },
  {
    name: 'GPU override is skipped (not consumed) while the pool reports no healthy endpoint',
    input: { overrides: [gpuNext10], capacity: { healthyEndpoints: 0, totalRunning: 0, totalWaiting: 0, at: NOW } },
    tier: 'simple',
    firstBackend: 'serverless',
    reasons: ['override_skipped:g10:gpu_no_healthy_endpoint'],
    uses: [],
  },
  { name: 'a split draw for GPU goes serverless while the pool reports no healthy endpoint', input: { splitDraw: 0.01, capacity: { healthyEndpoints: 0, totalRunning: 0, totalWaiting: 0, at: NOW } }, tier: 'simple', firstBackend: 'serverless', reasons: [] },
  { name: 'busy GPU pool: serverless first', input: { splitDraw: 0.1, capacity: { healthyEndpoints: 2, totalRunning: 30, totalWaiting: 6, at: NOW } }, tier: 'simple', firstBackend: 'serverless', reasons: ['gpu_busy:waiting=6'] },
  { name: 'override beats a busy GPU pool', input: { overrides: [gpuNext10], capacity: { healthyEndpoints: 2, totalRunning: 30, totalWaiting: 60, at: NOW } }, tier: 'simple', firstBackend: 'gpu', reasons: ['override_backend:gpu:g10'], uses: ['g10'] },
  { name: 'idle GPU pool preferred for a tier the policy names', input: { capacity: { healthyEndpoints: 1, totalRunning: 1, totalWaiting: 0, at: NOW } }, tier: 'simple', firstBackend: 'gpu', reasons: ['gpu_idle'] },
  { name: 'idle GPU pool not preferred for other tiers', input: { classifiedTier: 'balanced', score: 0.31, capacity: { healthyEndpoints: 1, totalRunning: 0, totalWaiting: 0, at: NOW } }, tier: 'balanced', firstBackend: 'serverless', reasons: ['serverless_first'] },
  { name: 'GPU pool running at its idle bound is not idle', input: { capacity: { healthyEndpoints: 1, totalRunning: 2, totalWaiting: 0, at: NOW } }, tier: 'simple', firstBackend: 'serverless', reasons: ['split:serverless'] },
  { name: 'split draw under the GPU share goes GPU', input: { splitDraw: 0.19 }, tier: 'simple', firstBackend: 'gpu', reasons: ['split:gpu'] },
  { name: 'split draw at the share goes serverless', input: { splitDraw: 0.2 }, tier: 'simple', firstBackend: 'serverless', reasons: ['split:serverless'] },
  { name: 'no split for tiers without a share', input: { classifiedTier: 'complex', score: 0.9, splitDraw: 0.01 }, tier: 'complex', firstBackend: 'serverless', reasons: ['serverless_first'] },
];

describe('routing policy decisions', () => {
  it.each(rows)('$name', (row) => {
    const plan = run(row.input);
    expect(plan.tier).toBe(row.tier);
    expect(plan.targets[0]?.backend).toBe(row.firstBackend);
    expect(plan.targets[0]?.model.tier).toBe(row.tier);
    for (const r of row.reasons) expect(plan.reasons).toContain(r);
    if (row.uses) expect(plan.overrides.map((o) => o.id)).toEqual(row.uses);
  });

  it('a preferred backend puts all its targets first, the rest stay as fallback', () => {
    const plan = run({ overrides: [gpuNext10] });
    const backends = plan.targets.map((t) => t.backend);
    expect(backends).toEqual([...backends].sort((a, b) => (a === b ? 0 : a === 'gpu' ? -1 : 1)));
    expect(backends).toContain('serverless');
  });

  it('rejects an unknown level or an out-of-range number in the request', () => {
    expect(() => run({ qualityTarget: 'platinum' })).toThrow(new InvalidQualityTargetError("unknown quality level 'platinum' (levels: economy, standard, premium, or a number in [0, 1])"));
    expect(() => run({ qualityTarget: '1.5' })).toThrow(/'1.5' is not a number in \[0, 1\]/);
    expect(() => run({ qualityTarget: '-0.2' })).toThrow(/'-0.2' is not a number in \[0, 1\]/);
    expect(() => run({ qualityTarget: '1e3' })).toThrow(/'1e3' is not a number in \[0, 1\]/);
    // An explicit model does not make a bad target acceptable: the caller's error is reported either way.
    expect(() => run({ qualityTarget: 'gold', explicitModel: catalog.modelsForTier('simple')[0]!.id })).toThrow(InvalidQualityTargetError);
  });

  it('reason codes (metric labels) are the part before the detail', () => {
    const plan = run({ overrides: [gpuNext10], qualityTarget: 'premium', score: 0.28 });
    expect(plan.reasons.map(reasonCode)).toEqual(['classified', 'quality', 'retiered', 'override_backend']);
  });
});
