import { loadCatalog } from '@sophia/price-catalog';
import { breakEvenInstances, desiredCapacity, instancesFor, type PoolSignals } from './desired-capacity.ts';
import { fleetPolicySchema, poolBounds } from './fleet-policy.ts';
import { fleetPoolsFromCatalog, type FleetPool } from './fleet-pool.ts';

const policy = fleetPolicySchema.parse({ version: 1 });
const pools = fleetPoolsFromCatalog(loadCatalog());
const simple = pools.find((p) => p.tier === 'simple')!;
const quiet: PoolSignals = {
  serverlessBreakerOpen: false,
  gpuOverride: false,
  liveInstances: 0,
  bootingInstances: 0,
  queueHighMinutes: 0,
  peak: { completionTokensPerMinute: 0, requests: 0 },
  sustained: { requestsPerMinute: 0, promptTokensPerMinute: 0, completionTokensPerMinute: 0 },
};
const bounds = poolBounds(policy, 'simple');

describe('desiredCapacity', () => {
  it('wants nothing without a reason', () => {
    expect(desiredCapacity(policy, simple, bounds, quiet)).toEqual({ desired: 0, capacity: 0, reasons: [] });
  });

  it('carries the tier on GPU while its serverless breaker is open, sized from the peak at target utilisation', () => {
    const capacity = simple.outputTokPerMinute * policy.target_utilisation;
    const d = desiredCapacity(policy, simple, bounds, { ...quiet, serverlessBreakerOpen: true, peak: { completionTokensPerMinute: 2.5 * capacity, requests: 100 } });
    expect(d).toMatchObject({ desired: 3, reasons: ['serverless_breaker_open'] });
    // The capacity asked is the peak at target utilisation, whatever types will carry it.
    expect(d.capacity).toBeCloseTo(2.5 * simple.outputTokPerMinute, 6);
    // One instance for any demand at all; none for a tier nobody asks of while its breaker is open.
    expect(desiredCapacity(policy, simple, bounds, { ...quiet, serverlessBreakerOpen: true, peak: { completionTokensPerMinute: 10, requests: 1 } }).desired).toBe(1);
    expect(desiredCapacity(policy, simple, bounds, { ...quiet, serverlessBreakerOpen: true }).desired).toBe(0);
  });

  it('scales up on a GPU override for a tier whose requests reach the GPU pool, and not when the policy turns that rule off', () => {
    const seen = { ...quiet, gpuOverride: true, peak: { completionTokensPerMinute: 100, requests: 3 } };
    expect(desiredCapacity(policy, simple, bounds, seen)).toMatchObject({ desired: 1, reasons: ['gpu_override'] });
    expect(desiredCapacity(policy, simple, bounds, { ...quiet, gpuOverride: true }).desired).toBe(0);
    const off = fleetPolicySchema.parse({ version: 1, scale_up: { on_gpu_override: false } });
    expect(desiredCapacity(off, simple, bounds, seen).desired).toBe(0);
  });

  it('adds one instance on a sustained queue only', () => {
    expect(desiredCapacity(policy, simple, bounds, { ...quiet, liveInstances: 2, queueHighMinutes: 1 }).desired).toBe(0);
    expect(desiredCapacity(policy, simple, bounds, { ...quiet, liveInstances: 2, queueHighMinutes: 2 })).toEqual({ desired: 3, capacity: 3 * simple.outputTokPerMinute, reasons: ['queue_depth'] });
  });

  it('adds no queue instance while one boots (the queue it will work off is no new shortage)', () => {
    expect(desiredCapacity(policy, simple, bounds, { ...quiet, liveInstances: 2, bootingInstances: 1, queueHighMinutes: 5 }).desired).toBe(0);
  });

  it('adds one instance of its type to a pool holding slower types (live capacity counted in its instances)', () => {
    const d = desiredCapacity(policy, simple, bounds, { ...quiet, liveInstances: 0.4, queueHighMinutes: 2 });
    expect(d.capacity).toBeCloseTo(1.4 * simple.outputTokPerMinute, 6);
    expect(d.desired).toBe(2);
  });

  it('clamps to the pool bounds and keeps the minimum', () => {
    const p = fleetPolicySchema.parse({ version: 1, pools: { simple: { min_instances: 1, max_instances: 2 } } });
    const b = poolBounds(p, 'simple');
    expect(desiredCapacity(p, simple, b, quiet)).toEqual({ desired: 1, capacity: simple.outputTokPerMinute, reasons: ['min_instances'] });
    expect(desiredCapacity(p, simple, b, { ...quiet, serverlessBreakerOpen: true, peak: { completionTokensPerMinute: 1e9, requests: 1 } }).desired).toBe(2);
  });
});

describe('breakEvenInstances', () => {
  // A pool whose instance is cheap enough to beat serverless when saturated.
  const cheap: FleetPool = { ...simple, microUsdPerHour: 100_000, outputTokPerMinute: 60_000 };
  const load = (completion: number) => ({ requestsPerMinute: 1, promptTokensPerMinute: completion * 3, completionTokensPerMinute: completion });

  it('never picks GPU at the catalog prices (serverless is cheaper per token at any load)', () => {
    for (const pool of pools) expect(breakEvenInstances(policy, pool, load(pool.outputTokPerMinute * 10))).toBe(0);
  });

  it('counts the instances whose carried tokens cost more serverless than the instance minute plus the margin', () => {
    // Serverless cost per completion token: (3 × 0.025 + 0.04) µ$ = 0.115 µ$; an instance minute costs 1,667 µ$ (+15 %).
    // Carrying 48,000 tokens/min at 80 % is worth 5,520 µ$: every full instance pays; a partial one needs ≥ 16,667 tokens.
    expect(breakEvenInstances(policy, cheap, load(48_000 * 2 + 20_000))).toBe(3);
    expect(breakEvenInstances(policy, cheap, load(48_000 * 2 + 10_000))).toBe(2);
    expect(breakEvenInstances(policy, cheap, load(0))).toBe(0);
  });

  it('launches ahead of a forecast break-even load (prewarm) only when the policy allows it', () => {
    const signals = { ...quiet, forecast: load(48_000) };
    expect(desiredCapacity(policy, cheap, bounds, signals)).toEqual({ desired: 1, capacity: cheap.outputTokPerMinute, reasons: ['prewarm'] });
    const off = fleetPolicySchema.parse({ version: 1, prewarm: { enabled: false } });
    expect(desiredCapacity(off, cheap, bounds, signals).desired).toBe(0);
  });

  it('sizes instances at target utilisation', () => {
    expect(instancesFor(policy, cheap, 48_000)).toBe(1);
    expect(instancesFor(policy, cheap, 48_001)).toBe(2);
  });
});
