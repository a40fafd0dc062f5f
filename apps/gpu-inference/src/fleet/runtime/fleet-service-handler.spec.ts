// FleetService over a real controller, memory store and virtual cloud (in-memory tier).
import { createClient, createRouterTransport } from '@connectrpc/connect';
import { Tier } from '@sophia/contracts/common';
import { FleetMode, FleetService, GpuInstanceState } from '@sophia/contracts/fleet';
import { loadCatalog } from '@sophia/price-catalog';
import { createFleetController, type FleetMode as Mode } from '../fleet-controller.ts';
import { fleetPolicySchema } from '../fleet-policy.ts';
import { fleetPoolsFromCatalog } from '../fleet-pool.ts';
import { createVirtualCloud } from '../sim/virtual-cloud.ts';
import { createMemoryFleetStore } from '../store/memory-fleet-store.ts';
import { createFleetServiceHandler } from './fleet-service-handler.ts';

const catalog = loadCatalog();
const pools = fleetPoolsFromCatalog(catalog);
const calm = { serverlessBreakerOpen: new Set<never>(), gpuOverride: new Set<never>() };

function setup(mode: Mode) {
  let now = 1_000_000;
  const cloud = createVirtualCloud({ now: () => now, bootMs: 60_000, types: new Map(catalog.gpuInstances.map((g) => [g.name, { priceCentsPerHour: Math.round(g.microUsdPerHour / 10_000), gpus: 1 }])) });
  const store = createMemoryFleetStore();
  const controller = createFleetController({
    cloud,
    store,
    pools,
    policy: () => fleetPolicySchema.parse({ version: 1 }),
    mode,
    now: () => now,
    probe: () => Promise.resolve({ healthy: true, models: pools.map((p) => p.servedModel), waiting: 0 }),
    sshKeyNames: ['k'],
    userData: () => '',
  });
  const handler = createFleetServiceHandler({
    mode,
    controller,
    store,
    pools,
    limits: { maxInstances: 8, maxMicroUsdPerHour: 100_000_000 },
    now: () => now,
    drain: async (id, why) => {
      const i = (await store.getInstance(id))!;
      await store.putInstance({ ...i, state: 'draining', drainingSince: now });
      await store.appendAudit({ at: now, action: 'drain', tier: i.tier, instanceId: id, detail: why });
    },
  });
  const client = createClient(FleetService, createRouterTransport(({ service }) => service(FleetService, handler)));
  return { client, controller, advance: (ms: number) => (now += ms) };
}

describe('FleetService', () => {
  it('launches on an operator hold, lists the instance, and terminates it on request', async () => {
    const { client, controller } = setup('auto');
    const launched = await client.launchGpuInstance({ tier: Tier.SIMPLE, holdMinutes: 30, requestedBy: 'ops', reason: 'demo' });
    expect(launched.target).toBe(1);
    await controller.tick(calm);
    const listed = await client.listGpuInstances({});
    expect(listed.mode).toBe(FleetMode.AUTO);
    expect(listed.instances.map((i) => [i.tier, i.state, i.instanceType])).toEqual([[Tier.SIMPLE, GpuInstanceState.BOOTING, 'gpu_1x_a100']]);
    expect(listed.pools.find((p) => p.tier === Tier.SIMPLE)?.reasons).toEqual(['operator']);
    const id = listed.instances[0]!.id;
    const terminated = await client.terminateGpuInstance({ instanceId: id, requestedBy: 'ops', reason: 'done' });
    expect(terminated.willBeReplaced).toBe(true); // the hold still wants one
    const actions = (await client.listFleetActions({})).actions.map((a) => a.action);
    expect(actions.slice(0, 2)).toEqual(['drain', 'launch']);
  });

  it('names bad input and refuses writes in plan mode', async () => {
    const auto = setup('auto');
    await expect(auto.client.launchGpuInstance({ tier: Tier.UNSPECIFIED })).rejects.toThrow(/tier: must be simple, balanced or complex/);
    await expect(auto.client.terminateGpuInstance({ instanceId: 'nope' })).rejects.toThrow(/instance_id: no live managed instance nope/);
    await expect(auto.client.listFleetActions({ limit: 5000 })).rejects.toThrow(/limit: at most 1000/);
    const plan = setup('plan');
    await expect(plan.client.launchGpuInstance({ tier: Tier.SIMPLE })).rejects.toThrow(/SOPHIA_GPU_FLEET=plan/);
    expect((await plan.client.listGpuInstances({})).mode).toBe(FleetMode.PLAN);
  });
});
