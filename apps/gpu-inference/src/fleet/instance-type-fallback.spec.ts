// Instance-type fallback over real sockets: the simulated Lambda Cloud has the catalog's first type
// for the simple tier sold out, so the controller (real Lambda client, real vLLM probe) launches the
// catalog's first alternate, which boots into a vLLM simulator serving the pool's model and joins the pool.
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only: the simulator is the stand-in cloud
import { createLambdaCloudSimulator, simInstanceTypes, type LambdaCloudSimulator } from '@sophia/lambda-cloud-sim';
import { loadCatalog } from '@sophia/price-catalog';
import { createFleetController, type ExternalSignals } from './fleet-controller.ts';
import { fleetPolicySchema } from './fleet-policy.ts';
import { fleetPoolsFromCatalog } from './fleet-pool.ts';
import { createLambdaCloudClient } from './lambda/lambda-cloud-client.ts';
import { createMemoryFleetStore } from './store/memory-fleet-store.ts';
import { createVllmProbe } from './vllm-probe.ts';
import { vllmUserData } from './vllm-user-data.ts';

const KEY = 'fallback-test-key';
const catalog = loadCatalog();
const pools = fleetPoolsFromCatalog(catalog).filter((p) => p.tier === 'simple');
const [primary, alternate] = pools[0]!.instanceOptions;
const outage: ExternalSignals = { serverlessBreakerOpen: new Set(['simple']), gpuOverride: new Set() };

describe('instance-type fallback against the simulated Lambda Cloud', () => {
  let sim: LambdaCloudSimulator;
  beforeEach(async () => {
    sim = await createLambdaCloudSimulator({ apiKey: KEY, instanceTypes: simInstanceTypes(catalog), bootMs: 50, capacityPerType: { [primary!.instanceType]: 0 } });
  });
  afterEach(() => sim.close());

  it('launches the first alternate type with capacity when the catalog type is sold out, and puts it in the pool', async () => {
    expect(alternate).toBeDefined();
    const store = createMemoryFleetStore();
    const controller = createFleetController({
      cloud: createLambdaCloudClient({ apiKey: KEY, baseUrl: sim.url, pacing: { intervalMs: 0, launchIntervalMs: 0 } }),
      store,
      pools,
      // The catalog's order (the fallback under test), not the cheapest type for the load.
      policy: () => fleetPolicySchema.parse({ version: 1, instance_choice: 'catalog_order' }),
      mode: 'auto',
      now: Date.now,
      probe: createVllmProbe(),
      sshKeyNames: ['k'],
      userData: (pool) => vllmUserData(pool, { gpus: 1 }),
    });
    controller.observeDemand('simple', { requests: 1, promptTokens: 10, completionTokens: 10 });
    const first = await controller.tick(outage);
    expect(first.actions.map((a) => [a.action, a.instanceType])).toEqual([['launch', alternate!.instanceType]]);
    // Boot (50 ms) then the probe finds /health and the pool's model on /v1/models.
    let ready = false;
    for (let i = 0; i < 100 && !ready; i++) {
      await new Promise((r) => setTimeout(r, 20));
      ready = (await controller.tick(outage)).actions.some((a) => a.action === 'ready');
    }
    expect(ready).toBe(true);
    const [serving] = await controller.servingInstances();
    expect(serving).toMatchObject({ instanceType: alternate!.instanceType, microUsdPerHour: alternate!.microUsdPerHour });
    expect(sim.instances().map((i) => i.instanceType)).toEqual([alternate!.instanceType]);
  });
});
