// The client against the simulated Lambda Cloud over real sockets: shapes, auth, capacity errors,
// 429 backoff honouring Retry-After, and a key that never appears in an error.
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only: the simulator is the stand-in cloud
import { createLambdaCloudSimulator, simInstanceTypes, type LambdaCloudSimulator } from '@sophia/lambda-cloud-sim';
import { loadCatalog } from '@sophia/price-catalog';
import { CloudError } from '../cloud-client.ts';
import { createLambdaCloudClient } from './lambda-cloud-client.ts';
import { lambdaApiKey } from './lambda-api-key.ts';

const KEY = 'secret_sim_key_123';
const fast = { pacing: { intervalMs: 0, launchIntervalMs: 0 } };

describe('createLambdaCloudClient against the simulator', () => {
  let sim: LambdaCloudSimulator;
  beforeEach(async () => {
    sim = await createLambdaCloudSimulator({ apiKey: KEY, instanceTypes: simInstanceTypes(loadCatalog()), bootMs: 50, capacityPerRegion: { 'us-east-1': 1 } });
  });
  afterEach(() => sim.close());

  it('lists instance types with price, specs and regions with capacity', async () => {
    const client = createLambdaCloudClient({ apiKey: KEY, baseUrl: sim.url, ...fast });
    const types = await client.listInstanceTypes();
    const h100x8 = types.find((t) => t.name === 'gpu_8x_h100_sxm5');
    expect(h100x8).toMatchObject({ priceCentsPerHour: 3432, specs: { gpus: 8 }, regionsWithCapacity: ['us-east-1', 'us-west-1'] });
  });

  it('launches one instance that boots into a vLLM serving the model its user data names, then terminates it', async () => {
    const client = createLambdaCloudClient({ apiKey: KEY, baseUrl: sim.url, ...fast });
    const userData = "#cloud-config\nruncmd:\n  - [sh, -c, \"docker run vllm --model 'org/m' --served-model-name 'org/m'\"]\n";
    // A launch answers while the instance boots: shown on a cloud whose boot cannot end during the test
    // (the 50 ms boot below may already be over on a loaded machine by the time we ask).
    const slow = await createLambdaCloudSimulator({ apiKey: KEY, instanceTypes: simInstanceTypes(loadCatalog()), bootMs: 3_600_000 });
    try {
      const slowClient = createLambdaCloudClient({ apiKey: KEY, baseUrl: slow.url, ...fast });
      const booting = await slowClient.launch({ instanceType: 'gpu_1x_a10', region: 'us-east-1', name: 'sophia-fleet-simple-y', sshKeyNames: ['k'], userData });
      expect((await slowClient.getInstance(booting)).status).toBe('booting');
    } finally {
      await slow.close();
    }
    const id = await client.launch({ instanceType: 'gpu_1x_a10', region: 'us-east-1', name: 'sophia-fleet-simple-x', sshKeyNames: ['k'], userData });
    let instance = await client.getInstance(id);
    while (instance.status === 'booting') {
      await new Promise((r) => setTimeout(r, 20));
      instance = await client.getInstance(id);
    }
    expect(instance).toMatchObject({ id, name: 'sophia-fleet-simple-x', status: 'active', instanceType: 'gpu_1x_a10', region: 'us-east-1', ip: '127.0.0.1' });
    const models = (await (await fetch(`${instance.vllmUrl}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['org/m']);
    expect((await client.listInstances()).map((i) => i.id)).toEqual([id]);
    // us-east-1 is full now: the type lists only us-west-1, and a launch there is refused for capacity.
    expect((await client.listInstanceTypes())[0]!.regionsWithCapacity).toEqual(['us-west-1']);
    await expect(client.launch({ instanceType: 'gpu_1x_a10', region: 'us-east-1', name: 'n', sshKeyNames: ['k'] })).rejects.toMatchObject({
      kind: 'insufficient_capacity',
      code: 'instance-operations/launch/insufficient-capacity',
    });
    await client.terminate([id]);
    expect(await client.listInstances()).toEqual([]);
    await expect(fetch(`${instance.vllmUrl}/health`)).rejects.toThrow();
    await expect(client.getInstance('nope')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('maps a bad key to unauthorized without echoing the key', async () => {
    const client = createLambdaCloudClient({ apiKey: 'wrong_key_456', baseUrl: sim.url, ...fast });
    const error = await client.listInstances().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CloudError);
    expect(error).toMatchObject({ kind: 'unauthorized', code: 'global/invalid-api-key' });
    expect(String((error as Error).message)).not.toContain('wrong_key_456');
  });

  it('names the bad field of a launch', async () => {
    const client = createLambdaCloudClient({ apiKey: KEY, baseUrl: sim.url, ...fast });
    await expect(client.launch({ instanceType: 'gpu_99x', region: 'us-east-1', name: 'n', sshKeyNames: ['k'] })).rejects.toMatchObject({
      kind: 'invalid_request',
      message: expect.stringContaining('instance_type_name'),
    });
  });

  it('manages SSH keys', async () => {
    const client = createLambdaCloudClient({ apiKey: KEY, baseUrl: sim.url, ...fast });
    const key = await client.addSshKey('fleet', 'ssh-ed25519 AAAA test');
    expect(await client.listSshKeys()).toEqual([key]);
    await client.deleteSshKey(key.id);
    expect(await client.listSshKeys()).toEqual([]);
  });
});

describe('rate limits', () => {
  it('backs off on 429 for at least the Retry-After, then succeeds', async () => {
    const sim = await createLambdaCloudSimulator({ apiKey: KEY, instanceTypes: simInstanceTypes(loadCatalog()), bootMs: 60_000, launchIntervalMs: 500 });
    try {
      const waits: number[] = [];
      const client = createLambdaCloudClient({
        apiKey: KEY,
        baseUrl: sim.url,
        ...fast,
        sleep: (ms) => {
          waits.push(ms);
          return new Promise((r) => setTimeout(r, ms));
        },
      });
      await client.launch({ instanceType: 'gpu_1x_a10', region: 'us-east-1', name: 'a', sshKeyNames: ['k'] });
      await client.launch({ instanceType: 'gpu_1x_a10', region: 'us-east-1', name: 'b', sshKeyNames: ['k'] });
      expect(waits.some((w) => w >= 1000)).toBe(true); // Retry-After: 1 (seconds, rounded up)
      expect(await client.listInstances()).toHaveLength(2);
    } finally {
      await sim.close();
    }
  });

  it('spaces launches by the launch interval on the client side', async () => {
    const { createRequestPacer } = await import('./request-pacer.ts');
    let clock = 0;
    const slept: number[] = [];
    const pacer = createRequestPacer({ intervalMs: 1000, launchIntervalMs: 10_000, now: () => clock, sleep: (ms) => ((slept.push(ms), (clock += ms)), Promise.resolve()) });
    await pacer.wait('launch');
    await pacer.wait('request');
    await pacer.wait('launch');
    expect(slept).toEqual([1000, 9000]);
  });
});

describe('lambdaApiKey', () => {
  it('reads the variable, else the file, and names a missing file without the key', () => {
    expect(lambdaApiKey({ SOPHIA_LAMBDA_API_KEY: ' k ' })).toBe('k');
    expect(lambdaApiKey({})).toBeUndefined();
    expect(() => lambdaApiKey({ SOPHIA_LAMBDA_API_KEY_FILE: '/nonexistent/key' })).toThrow('SOPHIA_LAMBDA_API_KEY_FILE: cannot read /nonexistent/key: ENOENT');
  });
});
