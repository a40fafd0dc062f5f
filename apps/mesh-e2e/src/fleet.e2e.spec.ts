// GPU fleet end to end on real processes (npm start's mesh with SOPHIA_GPU_FLEET=auto): the
// serverless upstream fails → the router's breaker opens and it reports that on its capacity poll →
// gpu-inference's fleet launches an instance on the simulated Lambda Cloud → it boots as a vLLM
// simulator and joins the pool (visible in GetCapacity) → serverless heals → after the cool-down the
// instance is drained and terminated on the cloud. Every step is read from the mesh's own APIs.
import { FleetService, GpuInstanceState } from '@sophia/contracts/fleet';
import { InferenceService } from '@sophia/contracts/inference';
import { createServiceClient } from '@sophia/platform';
import type { Mesh } from '@sophia/dev';
import { sseCall } from './fault-calls.ts';
import { meshLogs, setSimulatorFault, startTestMesh } from './mesh-fixture.ts';

jest.setTimeout(240_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string): void => void process.stderr.write(`[fleet-e2e] ${line}\n`);

describe('GPU fleet on the simulated Lambda Cloud', () => {
  let mesh: Mesh;
  beforeAll(async () => {
    mesh = await startTestMesh({ SOPHIA_GPU_FLEET: 'auto', SOPHIA_GPU_FLEET_INTERVAL_MS: '300', SOPHIA_LOG_LEVEL: 'info' });
  });
  afterAll(() => mesh?.stop());

  it('launches an instance into the pool while serverless fails and terminates it after serverless heals', async () => {
    const gpuAddr = String(mesh.services['gpu-inference']!.ready['grpc']);
    const fleet = createServiceClient(FleetService, gpuAddr);
    const inference = createServiceClient(InferenceService, gpuAddr);
    const cloud = mesh.upstreams.lambdaCloud!;
    const cloudInstances = async () => ((await (await fetch(`${cloud.url}/api/v1/instances`, { headers: { authorization: `Bearer ${cloud.apiKey}` } })).json()) as { data: { id: string; status: string }[] }).data;
    const call = () => sseCall({ gatewayUrl: mesh.gatewayUrl, apiKey: mesh.apiKey, content: 'Say hello.', timeoutMs: 20_000 });

    // Quiet mesh: the fleet plans nothing and the cloud holds no instance.
    expect((await call()).backend).toBe('serverless');
    const before = await fleet.listGpuInstances({});
    expect(before.instances).toEqual([]);
    expect(before.pools.map((p) => p.desired)).toEqual([0, 0, 0]);

    // Serverless fails: requests fall back to GPU (static vLLM simulators) and the fleet launches.
    await setSimulatorFault(mesh.upstreams.serverless, { kind: 'status', code: 503 });
    let inPool: { id: string; baseUrl: string; instanceType: string } | undefined;
    for (let i = 0; i < 400 && inPool === undefined; i++) {
      const o = await call();
      if (i === 0) log(`during the outage: ${o.kind} via ${o.backend} fallback=${o.fallback}`);
      const listed = await fleet.listGpuInstances({});
      const ready = listed.instances.find((x) => x.state === GpuInstanceState.IN_POOL);
      if (ready) inPool = { id: ready.id, baseUrl: ready.baseUrl, instanceType: ready.instanceType };
      else await sleep(250);
    }
    expect(inPool).toBeDefined();
    log(`instance ${inPool!.id} (${inPool!.instanceType}) in the pool at ${inPool!.baseUrl}`);
    const listed = await fleet.listGpuInstances({});
    expect(listed.pools.find((p) => p.reasons.includes('serverless_breaker_open'))).toBeDefined();
    const capacity = await inference.getCapacity({});
    expect(capacity.endpoints.map((e) => e.endpoint)).toContain(inPool!.baseUrl);
    expect((await cloudInstances()).find((c) => c.id === inPool!.id)?.status).toBe('active');

    // Serverless heals: after the cool-down the instance drains and is terminated on the cloud.
    await setSimulatorFault(mesh.upstreams.serverless, undefined);
    let gone = false;
    for (let i = 0; i < 600 && !gone; i++) {
      await call();
      gone = (await fleet.listGpuInstances({})).instances.length === 0;
      if (!gone) await sleep(250);
    }
    expect(gone).toBe(true);
    expect(await cloudInstances()).toEqual([]);
    expect((await inference.getCapacity({})).endpoints.map((e) => e.endpoint)).not.toContain(inPool!.baseUrl);
    const actions = (await fleet.listFleetActions({ limit: 50 })).actions.map((a) => a.action).reverse();
    log(`audit: ${actions.join(' → ')}`);
    expect(actions).toEqual(expect.arrayContaining(['launch', 'ready', 'drain', 'terminate']));
    expect(actions.indexOf('launch')).toBeLessThan(actions.indexOf('ready'));
    expect(actions.lastIndexOf('drain')).toBeLessThan(actions.lastIndexOf('terminate'));
    const fleetLines = meshLogs.filter((l) => l.startsWith('gpu-inference|') && l.includes('gpu fleet'));
    log(fleetLines.slice(-8).join('\n'));
  });
});
