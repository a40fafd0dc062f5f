// Real redis-server: the override store and the "next N" exactness across two router replicas.
import { create } from '@bufbuild/protobuf';
import { Backend, Role } from '@sophia/contracts/common';
import { OverrideKind, OverrideScope, type GenerateResponse } from '@sophia/contracts/router';
import { Redis } from 'ioredis';
import { createRedisOverrideStore } from './redis-override-store.ts';
import type { OverrideStore } from './override-store.ts';
import { overrideStoreContract } from './override-store-contract.ts';
import type { RoutingOverride } from './routing-override.ts';
import { fakeInference, startFakeRouter } from './testing/fake-mesh.ts';
import { connectRedis, parseRedisTarget } from '@sophia/platform/redis';
import { redisServerAvailable, startRedisCluster, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { OverrideSchema } from '@sophia/contracts/router';

const available = redisServerAvailable();
if (!available) console.warn('redis-server not found on PATH: skipping the router Redis override tests');
const describeRedis = available ? describe : describe.skip;

const NOW = Date.now();
const counted = (id: string, remaining: number, extra: Partial<RoutingOverride> = {}): RoutingOverride => ({
  id,
  kind: 'backend',
  scope: 'global',
  scopeValue: '',
  backend: 'gpu',
  remaining,
  createdBy: 'ops',
  reason: 'test',
  createdAt: NOW,
  ...extra,
});

describeRedis('redis override store', () => {
  let server: TestRedisServer;
  const clients: Redis[] = [];
  const connect = (): Redis => {
    const r = new Redis(server.url, { maxRetriesPerRequest: 1 });
    clients.push(r);
    return r;
  };
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await clients[0]?.flushall();
    await Promise.all(clients.splice(0).map((c) => c.quit()));
  });
  afterAll(async () => {
    await server.stop();
  });

  describe('the override store contract', () => {
    let store: OverrideStore;
    beforeEach(() => {
      store = createRedisOverrideStore({ redis: connect() });
    });
    overrideStoreContract(() => store);
  });

  it('stores, lists with live counts, claims down to zero and then drops the override', async () => {
    const a = createRedisOverrideStore({ redis: connect() });
    const b = createRedisOverrideStore({ redis: connect() });
    await a.add(counted('o1', 2));
    await a.add({ ...counted('o2', 1), remaining: undefined, kind: 'tier', backend: undefined, tier: 'complex', scope: 'tenant', scopeValue: 'acme' });
    expect((await b.list(NOW)).map((o) => [o.id, o.remaining]).sort()).toEqual([['o1', 2], ['o2', undefined]]);
    expect(await b.claim('o1')).toBe(1);
    expect((await a.list(NOW)).find((o) => o.id === 'o1')?.remaining).toBe(1);
    expect(await a.claim('o1')).toBe(0);
    expect(await b.claim('o1')).toBeUndefined();
    expect((await a.list(NOW)).map((o) => o.id)).toEqual(['o2']);
    expect(await b.remove('o2')).toBe(true);
    expect(await b.remove('o2')).toBe(false);
    expect(await a.list(NOW)).toEqual([]);
  });

  it('drops expired overrides from the list; their counter expires with them', async () => {
    const redis = connect();
    const store = createRedisOverrideStore({ redis });
    await store.add(counted('soon', 5, { expiresAt: Date.now() + 60_000 }));
    expect(await redis.pttl('sophia:router:{overrides}:remaining:soon')).toBeGreaterThan(0);
    expect((await store.list(Date.now())).map((o) => o.id)).toEqual(['soon']);
    await store.add({ ...counted('past', 1), remaining: undefined, expiresAt: Date.now() - 1 });
    expect((await store.list(Date.now())).map((o) => o.id)).toEqual(['soon']);
    expect(await redis.hkeys('sophia:router:{overrides}:defs')).toEqual(['soon']);
  });

  it('a replica whose clock runs ahead stops using an override at its own clock but does not delete it for the others', async () => {
    const ahead = createRedisOverrideStore({ redis: connect() });
    const onTime = createRedisOverrideStore({ redis: connect() });
    const expiresAt = Date.now() + 30 * 60_000;
    await onTime.add({ ...counted('until-t', 1), remaining: undefined, expiresAt });
    expect(await ahead.list(Date.now() + 60 * 60_000)).toEqual([]);
    expect((await onTime.list(Date.now())).map((o) => o.id)).toEqual(['until-t']);
  });

  it('takes back a use from a refused request, even the last one, but never resurrects a cleared override', async () => {
    const redis = connect();
    const a = createRedisOverrideStore({ redis });
    const b = createRedisOverrideStore({ redis: connect() });
    const last = counted('last', 1, { expiresAt: Date.now() + 600_000 });
    await a.add(last);
    expect(await b.claim('last')).toBe(0);
    expect(await a.list(Date.now())).toEqual([]);
    // The used-up count stays for the refund grace, then expires; the definition stays with it.
    expect(await redis.pttl('sophia:router:{overrides}:remaining:last')).toBeLessThanOrEqual(60_000);
    await b.refund(last);
    expect((await a.list(Date.now())).map((o) => [o.id, o.remaining])).toEqual([['last', 1]]);
    expect(await redis.pttl('sophia:router:{overrides}:remaining:last')).toBeGreaterThan(60_000);
    expect(await a.claim('last')).toBe(0);
    expect(await a.claim('last')).toBeUndefined();
    await a.add(counted('cleared', 3));
    expect(await a.claim('cleared')).toBe(2);
    expect(await b.remove('cleared')).toBe(true);
    await a.refund(counted('cleared', 3));
    expect(await redis.exists('sophia:router:{overrides}:remaining:cleared')).toBe(0);
    expect((await a.list(Date.now())).map((o) => o.id)).toEqual([]);
  });

  it('skips a corrupt entry and reports it', async () => {
    const redis = connect();
    const corrupt: string[] = [];
    const store = createRedisOverrideStore({ redis, onCorrupt: (id) => corrupt.push(id) });
    await redis.hset('sophia:router:{overrides}:defs', 'bad', '{"id":"bad"}');
    await store.add({ ...counted('good', 1), remaining: undefined });
    expect((await store.list(NOW)).map((o) => o.id)).toEqual(['good']);
    expect(corrupt).toEqual(['bad']);
  });

  it('"next 10 to GPU" under 50 concurrent requests over two replicas sends exactly 10 to GPU', async () => {
    const gpu = fakeInference('gpu');
    const serverless = fakeInference('serverless');
    const replicas = [0, 1].map(() => startFakeRouter({ overrides: createRedisOverrideStore({ redis: connect() }), gpu: gpu.client, serverless: serverless.client }));
    try {
      const set = await replicas[0]!.router.setOverride({
        override: create(OverrideSchema, { kind: OverrideKind.BACKEND, scope: OverrideScope.GLOBAL, backend: Backend.GPU, remaining: 10, createdBy: 'ops@example.com', reason: 'warm the GPU pool' }),
      });
      expect(set.override?.id).toMatch(/^ovr_/);
      const listed = await replicas[1]!.router.listOverrides({});
      expect(listed.shared).toBe(true);
      expect(listed.overrides.map((o) => o.remaining)).toEqual([10]);

      const run = async (i: number): Promise<GenerateResponse[]> => {
        const out: GenerateResponse[] = [];
        const input = { requestId: `req-${i}`, tenant: 'acme', messages: [{ role: Role.USER, content: 'hi' }] };
        for await (const m of replicas[i % 2]!.router.generate({ input })) out.push(m);
        return out;
      };
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => run(i)));
      expect(gpu.seen.calls).toBe(10);
      expect(serverless.seen.calls).toBe(40);
      const decisions = results.map((r) => r[0]?.event).filter((e) => e?.case === 'decision');
      expect(decisions).toHaveLength(50);
      const byOverride = decisions.filter((d) => d?.case === 'decision' && d.value.reasons.some((x) => x.startsWith('override_backend:gpu:')));
      expect(byOverride).toHaveLength(10);
      expect(results.every((r) => r.at(-1)?.event.case === 'done')).toBe(true);
      expect((await replicas[0]!.router.listOverrides({})).overrides).toEqual([]);
    } finally {
      for (const r of replicas) r.close();
    }
  });

  it('Explain shows an override without consuming it; ClearOverride removes it for every replica', async () => {
    const replicas = [0, 1].map(() => startFakeRouter({ overrides: createRedisOverrideStore({ redis: connect() }) }));
    try {
      const { override } = await replicas[0]!.router.setOverride({
        override: create(OverrideSchema, {
          kind: OverrideKind.BACKEND,
          scope: OverrideScope.WORKLOAD,
          scopeValue: 'batch',
          backend: Backend.GPU,
          remaining: 2,
          expiresAt: timestampFromMs(Date.now() + 3_600_000),
          createdBy: 'ops',
          reason: 'pin batch to GPU',
        }),
      });
      const input = { tenant: 'acme', workloadTag: 'batch', messages: [{ role: Role.USER, content: 'hi' }] };
      for (let i = 0; i < 3; i++) {
        const res = await replicas[1]!.router.explain({ input });
        expect(res.plan[0]).toMatch(/^gpu:/);
        expect(res.decision?.reasons).toContain(`override_backend:gpu:${override!.id}`);
      }
      expect((await replicas[1]!.router.listOverrides({})).overrides[0]?.remaining).toBe(2);
      expect((await replicas[1]!.router.clearOverride({ id: override!.id, clearedBy: 'ops', reason: 'done' })).cleared).toBe(true);
      const after = await replicas[0]!.router.explain({ input });
      expect(after.plan[0]).toMatch(/^serverless:/);
    } finally {
      for (const r of replicas) r.close();
    }
  });
});

describeRedis('redis override store on a Redis Cluster', () => {
  it('adds, lists and claims a counted override exactly, from two clients (keys share the {overrides} slot)', async () => {
    const cluster = await startRedisCluster(3);
    const clients = await Promise.all([0, 1].map(() => connectRedis(parseRedisTarget(cluster.url), { onError: () => undefined })));
    try {
      const [a, b] = clients.map((redis) => createRedisOverrideStore({ redis })) as [ReturnType<typeof createRedisOverrideStore>, ReturnType<typeof createRedisOverrideStore>];
      await a.add(counted('gpu-next-10', 10));
      const claims = await Promise.all(Array.from({ length: 25 }, (_, i) => (i % 2 === 0 ? a : b).claim('gpu-next-10')));
      expect(claims.filter((c) => c !== undefined)).toHaveLength(10);
      expect(await b.list(NOW)).toEqual([]);
    } finally {
      for (const c of clients) c.disconnect();
      await cluster.stop();
    }
  }, 60_000);
});
