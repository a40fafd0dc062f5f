import { loadCatalog } from '@sophia/price-catalog';
import { CloudError, type CloudInstance, type LaunchRequest } from './cloud-client.ts';
import { createFleetController, type ExternalSignals, type FleetControllerOptions, type ProbeResult } from './fleet-controller.ts';
import { fleetPolicySchema } from './fleet-policy.ts';
import { fleetPoolsFromCatalog } from './fleet-pool.ts';
import type { FleetInstance } from './store/fleet-store.ts';
import { createMemoryFleetStore } from './store/memory-fleet-store.ts';
import { createVirtualCloud, type VirtualCloud } from './sim/virtual-cloud.ts';

const MINUTE = 60_000;
const catalog = loadCatalog();
const pools = fleetPoolsFromCatalog(catalog).filter((p) => p.tier === 'simple');
const types = new Map(catalog.gpuInstances.map((g) => [g.name, { priceCentsPerHour: Math.round(g.microUsdPerHour / 10_000), gpus: 1 }]));
const outage: ExternalSignals = { serverlessBreakerOpen: new Set(['simple']), gpuOverride: new Set() };
/** The catalog's first type first (the fallback order under test), not the cheapest for the load. */
const catalogOrder = fleetPolicySchema.parse({ version: 1, instance_choice: 'catalog_order' });
const calm: ExternalSignals = { serverlessBreakerOpen: new Set(), gpuOverride: new Set() };

function setup(overrides: Partial<FleetControllerOptions> & { policy?: FleetControllerOptions['policy']; wrap?: (cloud: VirtualCloud) => VirtualCloud } = {}) {
  let now = 10 * MINUTE;
  const base = createVirtualCloud({ now: () => now, bootMs: 5 * MINUTE, types, regions: ['us-east-1', 'us-west-1'] });
  const cloud = overrides.wrap ? overrides.wrap(base) : base;
  const store = createMemoryFleetStore();
  const healthy = (i: FleetInstance): Promise<ProbeResult> =>
    Promise.resolve(base.isReady(i.id) ? { healthy: true, models: [pools[0]!.servedModel], waiting: 0 } : { healthy: false, models: [], waiting: 0, error: 'connection refused' });
  const controller = createFleetController({
    cloud,
    store,
    pools,
    policy: () => fleetPolicySchema.parse({ version: 1 }),
    mode: 'auto',
    now: () => now,
    probe: healthy,
    sshKeyNames: ['k'],
    userData: () => '#cloud-config',
    ...overrides,
  });
  // A tick during an outage: requests keep arriving for the tier (they fall over to GPU).
  const outageTick = () => {
    controller.observeDemand('simple', { requests: 1, promptTokens: 10, completionTokens: 10 });
    return controller.tick(outage);
  };
  return { controller, store, cloud: base, outageTick, advance: (minutes: number) => (now += minutes * MINUTE) };
}

/** Another controller on the same cloud and store (a restart, or a second replica), at minute 10. */
function replicaOn(existing: { cloud: VirtualCloud; store: FleetControllerOptions['store'] }, overrides: Partial<FleetControllerOptions> = {}) {
  return createFleetController({
    cloud: existing.cloud,
    store: existing.store,
    pools,
    policy: () => fleetPolicySchema.parse({ version: 1 }),
    mode: 'auto',
    now: () => 10 * MINUTE,
    probe: () => Promise.resolve({ healthy: false, models: [], waiting: 0 }),
    sshKeyNames: ['k'],
    userData: () => '',
    ...overrides,
  });
}

describe('FleetController', () => {
  it('launches on an open breaker, puts the instance in the pool once vLLM answers, and scales to zero after the cool-down', async () => {
    const { controller, outageTick, store, cloud, advance } = setup();
    let report = await outageTick();
    expect(report.actions.map((a) => a.action)).toEqual(['launch']);
    expect(report.actions[0]!.detail).toContain('serverless_breaker_open');
    expect((await store.liveInstances())[0]!.state).toBe('booting');
    advance(5);
    report = await outageTick();
    expect(report.actions.map((a) => a.action)).toEqual(['ready']);
    expect(await controller.servingInstances()).toHaveLength(1);
    advance(1);
    // Breaker closed: kept for the cool-down (= boot time, 5 min), then drained and terminated.
    for (let i = 0; i < 4; i++) {
      expect((await controller.tick(calm)).actions).toEqual([]);
      advance(1);
    }
    report = await controller.tick(calm);
    expect(report.actions.map((a) => a.action)).toEqual(['drain', 'terminate']);
    expect(await store.liveInstances()).toEqual([]);
    // Billed from launch (minute 10) to termination (minute 20).
    expect(cloud.invoice(100 * MINUTE).instanceMinutes).toBe(10);
  });

  it('in plan mode reports what it would do and touches neither cloud nor store', async () => {
    const { outageTick, store, cloud } = setup({ mode: 'plan' });
    const report = await outageTick();
    expect(report.actions.map((a) => [a.action, a.detail])).toEqual([['planned', expect.stringContaining('would launch: serverless_breaker_open')]]);
    expect(await cloud.listInstances()).toEqual([]);
    expect(store.audit).toEqual([]);
  });

  it('tries the next region when a region has no capacity', async () => {
    const tried: string[] = [];
    const { outageTick, store } = setup({
      wrap: (cloud) => ({
        ...cloud,
        launch: (request: LaunchRequest) => {
          tried.push(request.region);
          if (request.region === 'us-east-1') return Promise.reject(new CloudError('insufficient_capacity', 'Not enough capacity', 'instance-operations/launch/insufficient-capacity'));
          return cloud.launch(request);
        },
      }),
    });
    const report = await outageTick();
    expect(tried).toEqual(['us-east-1', 'us-west-1']);
    expect(report.actions.map((a) => a.action)).toEqual(['launch_failed', 'launch']);
    expect((await store.liveInstances())[0]!.region).toBe('us-west-1');
  });

  it("falls back to the catalog's alternate instance types when the first has no capacity anywhere, and bills the type it got", async () => {
    const [primary, alternate] = pools[0]!.instanceOptions;
    const tried: string[] = [];
    const { outageTick, store } = setup({
      policy: () => catalogOrder,
      wrap: (cloud) => ({
        ...cloud,
        // The primary type is listed with no region; the first alternate has capacity only in us-west-1 and fails in us-east-1.
        listInstanceTypes: async () => (await cloud.listInstanceTypes()).map((t) => (t.name === primary!.instanceType ? { ...t, regionsWithCapacity: [] } : t)),
        launch: (request: LaunchRequest) => {
          tried.push(`${request.instanceType}@${request.region}`);
          if (request.region === 'us-east-1') return Promise.reject(new CloudError('insufficient_capacity', 'Not enough capacity', 'instance-operations/launch/insufficient-capacity'));
          return cloud.launch(request);
        },
      }),
    });
    const report = await outageTick();
    expect(tried).toEqual([`${alternate!.instanceType}@us-east-1`, `${alternate!.instanceType}@us-west-1`]);
    expect(report.actions.map((a) => a.action)).toEqual(['launch_failed', 'launch']);
    expect(report.actions[1]!.detail).toContain(`fallback: ${primary!.instanceType} had no capacity`);
    const [instance] = await store.liveInstances();
    expect(instance).toMatchObject({ instanceType: alternate!.instanceType, microUsdPerHour: alternate!.microUsdPerHour, region: 'us-west-1' });
  });

  it('stops trying other regions and types on an error that is not about capacity', async () => {
    const tried: string[] = [];
    const { outageTick, store } = setup({
      wrap: (cloud) => ({
        ...cloud,
        launch: (request: LaunchRequest) => {
          tried.push(request.instanceType);
          return Promise.reject(new CloudError('unauthorized', 'API key was invalid', 'global/invalid-api-key'));
        },
      }),
    });
    const report = await outageTick();
    expect(tried).toHaveLength(1);
    expect(report.actions.map((a) => a.action)).toEqual(['launch_failed']);
    expect(await store.liveInstances()).toEqual([]);
  });

  it('audits a launch that found no capacity for any type the catalog allows', async () => {
    const { outageTick } = setup({
      policy: () => catalogOrder,
      wrap: (cloud) => ({ ...cloud, listInstanceTypes: async () => (await cloud.listInstanceTypes()).map((t) => ({ ...t, regionsWithCapacity: [] })) }),
    });
    const report = await outageTick();
    expect(report.actions.map((a) => a.action)).toEqual(['launch_failed']);
    expect(report.actions[0]!.detail).toBe(`no region has capacity for ${pools[0]!.instanceOptions.map((o) => o.instanceType).join(' or ')}`);
  });

  it('keeps an operator hold in the store, so a restarted controller still honours it until it ends', async () => {
    const first = setup();
    await first.controller.hold('simple', 2, 10 * MINUTE + 30 * MINUTE);
    const restarted = replicaOn(first);
    const report = await restarted.tick(calm);
    expect(report.pools[0]).toMatchObject({ decision: { desired: 2, reasons: ['operator'] } });
    expect(report.actions.map((a) => a.action)).toEqual(['launch', 'launch']);
  });

  it('acts only while it holds the lease: a second replica on the same store plans, and takes over when the first releases', async () => {
    const a = setup({ lease: { holder: 'a', ttlMs: MINUTE } });
    const b = replicaOn(a, { lease: { holder: 'b', ttlMs: MINUTE } });
    const first = await a.outageTick();
    expect(first.acting).toBe(true);
    expect(first.actions.map((x) => x.action)).toEqual(['launch']);
    b.observeDemand('simple', { requests: 5, promptTokens: 10, completionTokens: 10 });
    await a.store.putHold({ tier: 'simple', count: 2, untilMs: 20 * MINUTE });
    const follower = await b.tick(outage);
    expect(follower.acting).toBe(false);
    expect(follower.actions.map((x) => x.action)).toEqual(['planned']);
    expect(await a.store.liveInstances()).toHaveLength(1);
    await a.controller.release();
    const takeover = await b.tick(outage);
    expect(takeover.acting).toBe(true);
    expect(takeover.actions.map((x) => x.action)).toEqual(['launch']);
    expect(await a.store.liveInstances()).toHaveLength(2);
  });

  it('stops at the hourly spend cap and audits it', async () => {
    const { controller, store } = setup({ limits: { maxHourlyUsd: 5 } });
    const big: ExternalSignals = outage;
    controller.observeDemand('simple', { requests: 10, promptTokens: 1, completionTokens: 10 * pools[0]!.outputTokPerMinute });
    const report = await controller.tick(big);
    expect(report.actions.map((a) => a.action)).toEqual(['launch', 'capped']);
    expect(report.actions[1]!.detail).toContain('$5/h');
    expect(await store.liveInstances()).toHaveLength(1);
  });

  it('replaces an instance that fails its probes in the pool', async () => {
    let failing = false;
    const { outageTick, store, advance } = setup({
      probe: (i) => Promise.resolve(failing ? { healthy: false, models: [], waiting: 0, error: 'HTTP 503' } : { healthy: true, models: [pools[0]!.servedModel], waiting: 0, ...(i ? {} : {}) }),
    });
    await outageTick();
    advance(5);
    await outageTick();
    const first = (await store.liveInstances())[0]!;
    failing = true;
    for (let i = 0; i < 2; i++) {
      advance(1);
      expect((await outageTick()).actions).toEqual([]);
    }
    advance(1);
    const report = await outageTick();
    expect(report.actions.map((a) => [a.action, a.instanceId === first.id])).toEqual([
      ['replace', true],
      ['launch', false],
    ]);
    expect(report.actions[0]!.detail).toContain('HTTP 503');
  });

  it('reports instances named as ours that it does not know (orphans) once, and leaves them running', async () => {
    const { controller, cloud } = setup();
    await cloud.launch({ instanceType: 'gpu_1x_a10', region: 'us-east-1', name: 'sophia-fleet-simple-stray', sshKeyNames: [] });
    await cloud.launch({ instanceType: 'gpu_1x_a10', region: 'us-east-1', name: 'someone-else', sshKeyNames: [] });
    const first = await controller.tick(calm);
    expect(first.orphans.map((o: CloudInstance) => o.name)).toEqual(['sophia-fleet-simple-stray']);
    expect(first.actions.map((a) => a.action)).toEqual(['orphan']);
    expect((await controller.tick(calm)).actions).toEqual([]);
    expect(await cloud.listInstances()).toHaveLength(2);
  });

  it('notices instances terminated outside the fleet and replaces them while still needed', async () => {
    const { controller, outageTick, store, cloud } = setup();
    await outageTick();
    const [instance] = await store.liveInstances();
    await cloud.terminate([instance!.id]);
    const report = await controller.tick(calm);
    expect(report.actions.map((a) => [a.action, a.detail])).toEqual([
      ['terminate', 'terminated outside the fleet'],
      ['launch', 'idle: desired 0, target 1, live 0'],
    ]);
  });
  it('launches the type that carries the load cheapest, and tops up a serving instance with the type covering the rest without draining it', async () => {
    const { controller, outageTick, store, advance } = setup();
    // A few requests: one instance of any type carries them, so the cheapest by the hour.
    let report = await outageTick();
    expect(report.actions.map((a) => [a.action, a.instanceType])).toEqual([['launch', 'gpu_1x_a100']]);
    advance(5);
    await outageTick();
    // The peak grows to 250,000 tok/min: at 80 % that is 312,500 of capacity; the A100 carries 120,000.
    // The missing 192,500 cost least as one H100 PCIe ($3.29/h; an SXM5 is $4.29, two A100s $3.98).
    advance(1);
    controller.observeDemand('simple', { requests: 500, promptTokens: 1, completionTokens: 250_000 });
    report = await controller.tick(outage);
    expect(report.actions.map((a) => [a.action, a.instanceType])).toEqual([['launch', 'gpu_1x_h100_pcie']]);
    expect((await store.liveInstances()).map((i) => [i.instanceType, i.state])).toEqual([
      ['gpu_1x_a100', 'in_pool'],
      ['gpu_1x_h100_pcie', 'booting'],
    ]);
  });

  it('gives a slot the instance cap leaves to the tier whose instance carries the most requests, not to the first tier', async () => {
    const both = fleetPoolsFromCatalog(catalog).filter((p) => p.tier !== 'simple');
    const { controller, store } = setup({ pools: both, limits: { maxInstances: 1 } });
    // 70B: 60 requests of 300 tokens a minute, one H100 carries them; 405B: 200 requests of 400 tokens,
    // an 8×H100 carries 180 a minute of them. Tier order would give the slot to the 70B tier.
    controller.observeDemand('balanced', { requests: 60, promptTokens: 1, completionTokens: 18_000 });
    controller.observeDemand('complex', { requests: 200, promptTokens: 1, completionTokens: 80_000 });
    const report = await controller.tick({ serverlessBreakerOpen: new Set(['balanced', 'complex']), gpuOverride: new Set() });
    expect(report.actions.map((a) => [a.action, a.tier])).toEqual([
      ['launch', 'complex'],
      ['capped', 'balanced'],
      // Still 10,000 tok/min short of its own target, and no slot left.
      ['capped', 'complex'],
    ]);
    expect((await store.liveInstances()).map((i) => i.instanceType)).toEqual(['gpu_8x_h100_sxm5']);
  });

  it('sizes a large load so that it costs no more per hour than the cheapest single-type fleet carrying it', async () => {
    const roomy = fleetPolicySchema.parse({ version: 1, pools: { default: { max_instances: 20 } }, limits: { max_instances: 20, max_hourly_usd: 1000 } });
    const { controller, store } = setup({ policy: () => roomy });
    // 3,000,000 tok/min at 80 % = 3,750,000 of capacity: 13 H100 SXM5 ($55.77/h), 18 PCIe ($59.22) or 32 A100 ($63.68).
    controller.observeDemand('simple', { requests: 10, promptTokens: 1, completionTokens: 3_000_000 });
    await controller.tick(outage);
    const live = await store.liveInstances();
    const perMinute = new Map(pools[0]!.instanceOptions.map((o) => [o.instanceType, o.outputTokPerMinute]));
    expect(live.reduce((sum, i) => sum + perMinute.get(i.instanceType)!, 0)).toBeGreaterThanOrEqual(3_750_000);
    // Each launch takes the type covering the rest cheapest: SXM5s while much is missing, a PCIe for the remainder.
    expect(live.reduce((sum, i) => sum + i.microUsdPerHour, 0)).toBeLessThanOrEqual(13 * 4_290_000);
    expect(live[0]!.instanceType).toBe('gpu_1x_h100_sxm5');
  });
});
