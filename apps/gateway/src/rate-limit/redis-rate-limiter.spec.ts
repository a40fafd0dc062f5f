// Real redis-server: the same contract as the in-memory limiter, through the one Lua script.
import { Redis } from 'ioredis';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { rateLimiterContract } from './rate-limiter-contract.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { createRedisRateLimiter } from './redis-rate-limiter.ts';

const available = redisServerAvailable();
if (!available) console.warn('redis-server not found on PATH: skipping the Redis rate limiter tests');
const describeRedis = available ? describe : describe.skip;

describeRedis('redis rate limiter', () => {
  let server: TestRedisServer;
  let redis: Redis;
  let limiter: RateLimiter;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  beforeEach(async () => {
    await redis.flushall();
    limiter = createRedisRateLimiter({ redis });
  });
  afterAll(async () => {
    await redis.quit();
    await server.stop();
  });
  rateLimiterContract(() => limiter);
});
