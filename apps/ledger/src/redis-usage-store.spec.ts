import { Redis } from 'ioredis';
import { memoryLedgerStore } from './testing/memory-ledger-store.ts';
import { createRedisUsageStore } from './redis-usage-store.ts';
import { USAGE_DIMENSIONS, type UsageDimension } from './usage-store.ts';
import { describeWithRedis } from '@sophia/platform/testing';
import { tenantScope, type BudgetStore } from './budget-store.ts';
import { budgetStoreContract } from './budget-store-contract.ts';
import { T0, usageRecord, usageStoreContract } from './usage-store-contract.ts';
import type { UsageStore } from './usage-store.ts';

describeWithRedis('createRedisUsageStore (real redis-server)', (suite) => {
  let redis: Redis;
  let store: UsageStore & BudgetStore;
  let prefix: string;
  let n = 0;

  beforeEach(() => {
    redis = suite.redis();
    // A fresh key space per test; a small page size makes every query cross page boundaries.
    prefix = `{test${n++}}:`;
    store = createRedisUsageStore({ redis, keyPrefix: prefix, pageSize: 2 });
  });

  usageStoreContract(() => store);
  describe('budgets', () => budgetStoreContract(() => store));

  it('stores one JSON event per id and indexes it by time and tenant', async () => {
    await store.record(usageRecord({ requestId: 'k1', tenant: 'acme', timeMs: T0 + 7 }));
    expect(await redis.zrange(`${prefix}by-time`, 0, -1)).toEqual([`${String(T0 + 7).padStart(15, '0')}|k1`]);
    expect(await redis.zrange(`${prefix}by-tenant:acme`, 0, -1)).toHaveLength(1);
    expect(JSON.parse((await redis.get(`${prefix}event:k1`)) ?? 'null')).toEqual(usageRecord({ requestId: 'k1', tenant: 'acme', timeMs: T0 + 7 }));
  });

  it('counts each id exactly once when many replicas record overlapping ids in parallel', async () => {
    const replicas = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const client = new Redis(suite.url(), { lazyConnect: true, maxRetriesPerRequest: 1 });
        await client.connect();
        return client;
      }),
    );
    try {
      const stores = replicas.map((client) => createRedisUsageStore({ redis: client, keyPrefix: prefix, pageSize: 50 }));
      const ids = 250;
      const attempts = Array.from({ length: 1000 }, (_, i) => {
        const id = i % ids;
        // Every attempt of one id carries the same cost (id + 1), as a retried request would.
        return stores[i % stores.length]!.record(
          usageRecord({ requestId: `req-${id}`, tenant: `t${id % 3}`, timeMs: T0 + id, costMicroUsd: id + 1, promptTokens: id }),
        );
      });
      const outcomes = await Promise.all(attempts);
      expect(outcomes.filter((o) => o.recorded)).toHaveLength(ids);
      for (const o of outcomes) expect(o.record.costMicroUsd).toBe(Number(o.record.requestId.slice(4)) + 1);

      const report = await stores[0]!.query({ startMs: 0, endMs: T0 + ids, groupBy: ['tenant'] });
      const expectedCost = (ids * (ids + 1)) / 2;
      const expectedPrompt = (ids * (ids - 1)) / 2;
      expect(report.total).toEqual({
        requests: BigInt(ids),
        promptTokens: BigInt(expectedPrompt),
        completionTokens: BigInt(ids * 50),
        costMicroUsd: BigInt(expectedCost),
        cachedPromptTokens: 0n,
      });
      expect(report.rows.map((r) => r.requests)).toEqual([84n, 83n, 83n]);
      expect(await redis.zcard(`${prefix}by-time`)).toBe(ids);
    } finally {
      await Promise.all(replicas.map((c) => c.quit()));
    }
  });

  it('never over-grants when replicas reserve concurrently against one limit', async () => {
    const replicas = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const client = new Redis(suite.url(), { lazyConnect: true, maxRetriesPerRequest: 1 });
        await client.connect();
        return client;
      }),
    );
    try {
      const stores = replicas.map((client) => createRedisUsageStore({ redis: client, keyPrefix: prefix }));
      await stores[0]!.setLimit(tenantScope('acme'), 'day', 1000);
      await stores[0]!.record(usageRecord({ requestId: 'spent', costMicroUsd: 300 }));
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          stores[i % 4]!.reserve({ tenant: 'acme', reservationId: `r${i}`, amountMicroUsd: 10, nowMs: T0, ttlMs: 60_000 }),
        ),
      );
      expect(outcomes.filter((o) => o.granted)).toHaveLength(70);
      expect((await stores[1]!.status(tenantScope('acme'), T0))[0]).toMatchObject({ spentMicroUsd: 300, reservedMicroUsd: 700 });
    } finally {
      await Promise.all(replicas.map((c) => c.quit()));
    }
  });

  it('answers any period and grouping exactly as the in-process store (roll-ups + edge scans)', async () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const DAY = 86_400_000;
    const oracle = memoryLedgerStore();
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
    for (let i = 0; i < 300; i++) {
      const record = usageRecord({
        requestId: `e${i}`,
        tenant: pick(['acme', 'beta', 'gamma']),
        model: pick(['small', 'mid', 'big']),
        backend: pick(['serverless', 'gpu'] as const),
        tier: pick(['simple', 'balanced', 'complex'] as const),
        workloadTag: pick(['', 'chat', 'batch']),
        timeMs: T0 - 2 * DAY + rand(6 * DAY),
        promptTokens: rand(5000),
        completionTokens: rand(3000),
        costMicroUsd: rand(100_000),
      });
      await store.record(record);
      await oracle.record(record);
    }
    const points = [0, T0 - 2 * DAY, T0, T0 + DAY, T0 + 4 * DAY, T0 + 10 * DAY];
    for (let q = 0; q < 40; q++) {
      const a = q < 6 ? points[q]! : T0 - 3 * DAY + rand(8 * DAY);
      const b = q < 6 ? T0 + 5 * DAY : a + rand(5 * DAY);
      const groupBy = USAGE_DIMENSIONS.filter(() => rand(3) === 0) as UsageDimension[];
      const tenant = rand(3) === 0 ? 'beta' : undefined;
      const query = { startMs: a, endMs: b, groupBy, ...(tenant ? { tenant } : {}) };
      expect(await store.query(query)).toEqual(await oracle.query(query));
    }
  });

  it('reports a corrupt roll-up naming its key', async () => {
    await store.record(usageRecord({ requestId: 'r' }));
    await redis.hset(`${prefix}rollup:${Math.floor(T0 / 86_400_000)}`, 'garbage', '1');
    await expect(store.query({ startMs: 0, endMs: T0 + 86_400_000, groupBy: [] })).rejects.toThrow(`corrupt usage roll-up at ${prefix}rollup:`);
  });

  it('reports a corrupt stored event naming its key', async () => {
    await store.record(usageRecord({ requestId: 'bad' }));
    await redis.set(`${prefix}event:bad`, '{"requestId":"bad"}');
    // [T0 - 1, T0 + 1) holds no whole day, so it is answered by scanning events.
    await expect(store.query({ startMs: T0 - 1, endMs: T0 + 1, groupBy: [] })).rejects.toThrow(`corrupt usage event at ${prefix}event:bad`);
  });

  it('rejects times the index cannot order', async () => {
    await expect(store.record(usageRecord({ requestId: 'neg', timeMs: -1 }))).rejects.toThrow(RangeError);
  });
});
