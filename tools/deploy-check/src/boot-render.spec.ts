import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { bootRender, firstApiKey, servicePortOf, type BootedRender } from './boot-render.ts';
import { render, REPO_ROOT } from './testing/render-fixture.ts';

const describeWithRedis = redisServerAvailable() ? describe : describe.skip;
if (!redisServerAvailable()) console.warn('deploy-check: redis-server is not installed: skipping the dev overlay boot test');

describeWithRedis('the dev overlay, booted as local processes with its pods’ configuration', () => {
  const objects = render('overlays/dev');
  let redis: TestRedisServer | undefined;
  let booted: BootedRender | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    // Generous: eight Node processes start at once on a shared two-core machine.
    booted = await bootRender(objects, { root: REPO_ROOT, external: { redis: `127.0.0.1:${redis.port}` }, readyTimeoutMs: 120_000, onLog: (name, line) => logs.push(`${name}: ${line}`) });
  }, 240_000);

  afterAll(async () => {
    await booted?.stop();
    await redis?.stop();
  }, 300_000);

  it('starts every node workload (six services and both simulators)', () => {
    expect([...booted!.children.keys()].sort()).toEqual(['classifier', 'gateway', 'gpu-inference', 'ledger', 'router', 'serverless-inference', 'sim-serverless', 'sim-vllm']);
  });

  it('answers a chat completion through gateway → router → classifier, ledger, serverless-inference → simulator', async () => {
    const gateway = booted!.address('gateway', servicePortOf(objects, 'gateway', 'http'));
    const res = await fetch(`http://${gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${firstApiKey(objects)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Say hello in one short sentence.' }] }),
    });
    const body = (await res.json()) as { choices?: unknown[]; sophia?: { backend?: string } };
    if (res.status !== 200) throw new Error(`gateway answered ${res.status}: ${JSON.stringify(body)}\n${logs.slice(-30).join('\n')}`);
    expect(body.choices).toHaveLength(1);
    expect(body.sophia?.backend).toBeDefined();
  });

  it('serves /metrics on every service’s metrics port', async () => {
    for (const name of ['gateway', 'router', 'classifier', 'ledger', 'serverless-inference', 'gpu-inference']) {
      const metrics = booted!.address(name, servicePortOf(objects, name, 'metrics'));
      const text = await (await fetch(`http://${metrics}/metrics`)).text();
      expect(text).toContain('process_resident_memory_bytes');
    }
  });

  it('drains every process to exit 0 on SIGTERM', async () => {
    const codes = await booted!.stop();
    booted = undefined;
    const unclean = [...codes].filter(([, code]) => code !== 0).map(([name]) => name);
    if (unclean.length > 0) console.error(`did not drain to exit 0: ${unclean.join(', ')}\n${logs.filter((l) => unclean.some((n) => l.startsWith(`${n}: `))).slice(-40).join('\n')}`);
    expect(Object.fromEntries(codes)).toEqual({
      classifier: 0,
      gateway: 0,
      'gpu-inference': 0,
      ledger: 0,
      router: 0,
      'serverless-inference': 0,
      'sim-serverless': 0,
      'sim-vllm': 0,
    });
  }, 300_000); // each process may take its pod's grace period (up to 30 s), as under a kubelet
});

describeWithRedis('the co-hosted dev variant (gateway, router and classifier in one process), booted the same way', () => {
  const objects = render('overlays/dev-cohosted');
  let redis: TestRedisServer | undefined;
  let booted: BootedRender | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    booted = await bootRender(objects, { root: REPO_ROOT, external: { redis: `127.0.0.1:${redis.port}` }, readyTimeoutMs: 120_000, onLog: (name, line) => logs.push(`${name}: ${line}`) });
  }, 240_000);

  afterAll(async () => {
    await booted?.stop();
    await redis?.stop();
  }, 300_000);

  it('starts one process for the three co-hosted services, one each for the rest', () => {
    expect([...booted!.children.keys()].sort()).toEqual(['edge', 'gpu-inference', 'ledger', 'serverless-inference', 'sim-serverless', 'sim-vllm']);
    expect(Object.keys(booted!.children.get('edge')!.listening).sort()).toEqual(['classifier', 'gateway', 'router']);
  });

  it('answers a chat completion through the gateway Service, with router and classifier in process', async () => {
    const gateway = booted!.address('gateway', servicePortOf(objects, 'gateway', 'http'));
    const res = await fetch(`http://${gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${firstApiKey(objects)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Say hello in one short sentence.' }] }),
    });
    const body = (await res.json()) as { choices?: unknown[]; sophia?: { backend?: string } };
    if (res.status !== 200) throw new Error(`gateway answered ${res.status}: ${JSON.stringify(body)}\n${logs.slice(-30).join('\n')}`);
    expect(body.choices).toHaveLength(1);
    expect(body.sophia?.backend).toBeDefined();
  });

  it('serves each co-hosted service’s own /metrics behind its Service', async () => {
    const seen = new Set<string>();
    for (const name of ['gateway', 'router', 'classifier']) {
      const metrics = booted!.address(name, servicePortOf(objects, name, 'metrics'));
      seen.add(metrics);
      const text = await (await fetch(`http://${metrics}/metrics`)).text();
      expect(text).toContain(`service="${name}"`);
    }
    expect(seen.size).toBe(3);
  });

  it('drains every process to exit 0 on SIGTERM', async () => {
    const codes = await booted!.stop();
    booted = undefined;
    const unclean = [...codes].filter(([, code]) => code !== 0).map(([name]) => name);
    if (unclean.length > 0) console.error(`did not drain to exit 0: ${unclean.join(', ')}\n${logs.filter((l) => unclean.some((n) => l.startsWith(`${n}: `))).slice(-40).join('\n')}`);
    expect(Object.fromEntries(codes)).toEqual({ edge: 0, 'gpu-inference': 0, ledger: 0, 'serverless-inference': 0, 'sim-serverless': 0, 'sim-vllm': 0 });
  }, 300_000);
});
