// Real redis-server: the same contract as the embedded store.
import { Redis } from 'ioredis';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { responseCacheStoreContract } from './response-cache-store-contract.ts';
import { createRedisResponseCacheStore, type ResponseCacheStore } from './response-cache-store.ts';

const available = redisServerAvailable();
if (!available) console.warn('redis-server not found on PATH: skipping the Redis response cache tests');
const describeRedis = available ? describe : describe.skip;

describeRedis('redis response cache store', () => {
  let server: TestRedisServer;
  let redis: Redis;
  let store: ResponseCacheStore;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  beforeEach(async () => {
    await redis.flushall();
    store = createRedisResponseCacheStore(redis);
  });
  afterAll(async () => {
    await redis.quit();
    await server.stop();
  });
  responseCacheStoreContract(() => store);
});
