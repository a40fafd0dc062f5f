// Real redis-server: the same contract as the embedded store, through one Lua script.
import { Redis } from 'ioredis';
import { describeWithRedis } from '@sophia/platform/testing';
import { runawayCounterStoreContract } from './runaway-counter-store-contract.ts';
import { createRedisRunawayCounterStore, type RunawayCounterStore } from './runaway-counter-store.ts';
import { createRunawayDetector } from './runaway-detector.ts';

describeWithRedis('redis runaway counter store', (suite) => {
  let store: RunawayCounterStore;
  beforeEach(() => {
    store = createRedisRunawayCounterStore(suite.redis());
  });
  runawayCounterStoreContract(() => store);

  it('lets an idle counter expire in Redis after many time constants', async () => {
    await store.add('acme', [{ key: 'short', tauMs: 10, amount: 1 }], Date.now());
    const ttl = await suite.redis().pttl('sophia:runaway:{acme}:short');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(80);
  });

  it("shares one key's loop across two replicas: stopped at the same request as on one replica", async () => {
    const second = new Redis(suite.url(), { maxRetriesPerRequest: 1 });
    try {
      const T0 = Date.UTC(2026, 11, 5, 9);
      const replicas = [createRunawayDetector(store, { floorPerMinute: 1000 }), createRunawayDetector(createRedisRunawayCounterStore(second), { floorPerMinute: 1000 })];
      const shared: string[] = [];
      for (let i = 0; i < 40; i++) shared.push((await replicas[i % 2]!.observe({ tenant: 'acme', keyId: 'k' }, 'same', T0 + i * 500)).action);
      await suite.redis().flushall();
      const alone: string[] = [];
      for (let i = 0; i < 40; i++) alone.push((await replicas[0]!.observe({ tenant: 'acme', keyId: 'k' }, 'same', T0 + i * 500)).action);
      expect(shared.indexOf('stop')).toBeGreaterThan(0);
      expect(shared).toEqual(alone);
    } finally {
      await second.quit();
    }
  });
});
