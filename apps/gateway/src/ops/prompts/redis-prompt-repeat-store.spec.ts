// Real redis-server: the same contract as the SQLite store.
import { Redis } from 'ioredis';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { promptRepeatStoreContract } from './prompt-repeat-store-contract.ts';
import { createRedisPromptRepeatStore } from './redis-prompt-repeat-store.ts';
import type { PromptRepeatStore } from './prompt-repeat-store.ts';

const available = redisServerAvailable();
if (!available) console.warn('redis-server not found on PATH: skipping the Redis prompt repeat store tests');
const describeRedis = available ? describe : describe.skip;

describeRedis('redis prompt repeat store', () => {
  let server: TestRedisServer;
  let redis: Redis;
  let store: PromptRepeatStore;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  beforeEach(async () => {
    await redis.flushall();
    store = createRedisPromptRepeatStore({ redis });
  });
  afterAll(async () => {
    await redis.quit();
    await server.stop();
  });
  promptRepeatStoreContract(() => store);
});
