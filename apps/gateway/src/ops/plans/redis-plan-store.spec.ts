// Real redis-server: the same contract as the SQLite store.
import { Redis } from 'ioredis';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { planStoreContract } from './plan-store-contract.ts';
import { createRedisPlanStore } from './redis-plan-store.ts';
import type { PlanStore } from './plan-store.ts';

const available = redisServerAvailable();
if (!available) console.warn('redis-server not found on PATH: skipping the Redis plan store tests');
const describeRedis = available ? describe : describe.skip;

describeRedis('redis plan store', () => {
  let server: TestRedisServer;
  let redis: Redis;
  let store: PlanStore;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  beforeEach(async () => {
    await redis.flushall();
    store = createRedisPlanStore({ redis });
  });
  afterAll(async () => {
    await redis.quit();
    await server.stop();
  });
  planStoreContract(() => store);
});
