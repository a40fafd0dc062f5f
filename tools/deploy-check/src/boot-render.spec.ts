import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { bootRender, firstApiKey, servicePortOf, type BootedRender } from './boot-render.ts';
import type { KubeObject } from './kube-object.ts';
import { render, REPO_ROOT } from './testing/render-fixture.ts';

const describeWithRedis = redisServerAvailable() ? describe : describe.skip;
if (!redisServerAvailable()) console.warn('deploy-check: redis-server is not installed: skipping the overlay boot tests');

/** Boots the overlay at `path` (with a local redis-server for its Redis) around the enclosing describe. */
function bootedOverlay(path: string): { readonly objects: KubeObject[]; booted(): BootedRender; logs: string[]; stop(): Promise<Map<string, number | string>> } {
  const objects = render(path);
  const logs: string[] = [];
  let redis: TestRedisServer | undefined;
  let booted: BootedRender | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
    // Generous: up to eight Node processes start at once on a shared two-core machine.
    booted = await bootRender(objects, { root: REPO_ROOT, external: { redis: `127.0.0.1:${redis.port}` }, readyTimeoutMs: 120_000, onLog: (name, line) => logs.push(`${name}: ${line}`) });
  }, 240_000);
  afterAll(async () => {
    await booted?.stop();
    await redis?.stop();
  }, 300_000);
  return {
    objects,
    logs,
    booted: () => booted!,
    stop: async () => {
      const codes = await booted!.stop();
      booted = undefined;
      const unclean = [...codes].filter(([, code]) => code !== 0).map(([name]) => name);
      if (unclean.length > 0) console.error(`did not drain to exit 0: ${unclean.join(', ')}\n${logs.filter((l) => unclean.some((n) => l.startsWith(`${n}: `))).slice(-40).join('\n')}`);
      return codes;
    },
  };
}

/** One chat completion through the render's gateway Service; throws with the last log lines unless 200. */
async function chatThroughGateway(overlay: ReturnType<typeof bootedOverlay>): Promise<{ choices?: unknown[]; sophia?: { backend?: string } }> {
  const gateway = overlay.booted().address('gateway', servicePortOf(overlay.objects, 'gateway', 'http'));
  const res = await fetch(`http://${gateway}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${firstApiKey(overlay.objects)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Say hello in one short sentence.' }] }),
  });
  const body = (await res.json()) as { choices?: unknown[]; sophia?: { backend?: string } };
  if (res.status !== 200) throw new Error(`gateway answered ${res.status}: ${JSON.stringify(body)}\n${overlay.logs.slice(-30).join('\n')}`);
  return body;
}

describeWithRedis('the dev overlay, booted as local processes with its pods’ configuration', () => {
  const overlay = bootedOverlay('overlays/dev');

  it('starts every node workload (six services and both simulators)', () => {
    expect([...overlay.booted().children.keys()].sort()).toEqual(['classifier', 'gateway', 'gpu-inference', 'ledger', 'router', 'serverless-inference', 'sim-serverless', 'sim-vllm']);
  });

  it('answers a chat completion through gateway → router → classifier, ledger, serverless-inference → simulator', async () => {
    const body = await chatThroughGateway(overlay);
    expect(body.choices).toHaveLength(1);
    expect(body.sophia?.backend).toBeDefined();
  });

  it('serves /metrics on every service’s metrics port', async () => {
    for (const name of ['gateway', 'router', 'classifier', 'ledger', 'serverless-inference', 'gpu-inference']) {
      const metrics = overlay.booted().address(name, servicePortOf(overlay.objects, name, 'metrics'));
      const text = await (await fetch(`http://${metrics}/metrics`)).text();
      expect(text).toContain('process_resident_memory_bytes');
    }
  });

  it('drains every process to exit 0 on SIGTERM', async () => {
    expect(Object.fromEntries(await overlay.stop())).toEqual({
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
  const overlay = bootedOverlay('overlays/dev-cohosted');

  it('starts one process for the three co-hosted services, one each for the rest', () => {
    expect([...overlay.booted().children.keys()].sort()).toEqual(['edge', 'gpu-inference', 'ledger', 'serverless-inference', 'sim-serverless', 'sim-vllm']);
    expect(Object.keys(overlay.booted().children.get('edge')!.listening).sort()).toEqual(['classifier', 'gateway', 'router']);
  });

  it('answers a chat completion through the gateway Service, with router and classifier in process', async () => {
    const body = await chatThroughGateway(overlay);
    expect(body.choices).toHaveLength(1);
    expect(body.sophia?.backend).toBeDefined();
  });

  it('serves each co-hosted service’s own /metrics behind its Service', async () => {
    const seen = new Set<string>();
    for (const name of ['gateway', 'router', 'classifier']) {
      const metrics = overlay.booted().address(name, servicePortOf(overlay.objects, name, 'metrics'));
      seen.add(metrics);
      const text = await (await fetch(`http://${metrics}/metrics`)).text();
      expect(text).toContain(`service="${name}"`);
    }
    expect(seen.size).toBe(3);
  });

  it('drains every process to exit 0 on SIGTERM', async () => {
    expect(Object.fromEntries(await overlay.stop())).toEqual({ edge: 0, 'gpu-inference': 0, ledger: 0, 'serverless-inference': 0, 'sim-serverless': 0, 'sim-vllm': 0 });
  }, 300_000); // the edge pod may take 70 s (three drains), as under a kubelet
});
