// Real redis-server: the same contract as the embedded store, through one Lua script.
import { Redis } from 'ioredis';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { runawayCounterStoreContract } from './runaway-counter-store-contract.ts';
import { createRedisRunawayCounterStore, type RunawayCounterStore } from './runaway-counter-store.ts';
import { createRunawayDetector } from './runaway-detector.ts';

const available = redisServerAvailable();
if (!available) console.warn('redis-server not found on PATH: skipping the Redis runaway counter tests');
const describeRedis = available ? describe : describe.skip;

describeRedis('redis runaway counter store', () => {
  let server: TestRedisServer;
  let redis: Redis;
  let store: RunawayCounterStore;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  beforeEach(async () => {
    await redis.flushall();
    store = createRedisRunawayCounterStore(redis);
  });
  afterAll(async () => {
    await redis.quit();
    await server.stop();
  });
  runawayCounterStoreContract(() => store);

  it('lets an idle counter expire in Redis after many time constants', async () => {
    await store.add('acme', [{ key: 'short', tauMs: 10, amount: 1 }], Date.now());
    const ttl = await redis.pttl('sophia:runaway:{acme}:short');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(80);
  });

  it("shares one key's loop across two replicas: stopped at the same request as on one replica", async () => {
    const second = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      const T0 = Date.UTC(2026, 11, 5, 9);
      const replicas = [createRunawayDetector(store, { floorPerMinute: 1000 }), createRunawayDetector(createRedisRunawayCounterStore(second), { floorPerMinute: 1000 })];
      const shared: string[] = [];
      for (let i = 0; i < 40; i++) shared.push((await replicas[i % 2]!.observe({ tenant: 'acme', keyId: 'k' }, 'same', T0 + i * 500)).action);
      await redis.flushall();
      const alone: string[] = [];
      for (let i = 0; i < 40; i++) alone.push((await replicas[0]!.observe({ tenant: 'acme', keyId: 'k' }, 'same', T0 + i * 500)).action);
      expect(shared.indexOf('stop')).toBeGreaterThan(0);
      expect(shared).toEqual(alone);
    } finally {
      await second.quit();
    }
  });
});
