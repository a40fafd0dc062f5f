// Real redis-server: the same contract as the in-memory limiter, through the one Lua script.
import { describeWithRedis } from '@sophia/platform/testing';
import { rateLimiterContract } from './rate-limiter-contract.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { createRedisRateLimiter } from './redis-rate-limiter.ts';

describeWithRedis('redis rate limiter', (suite) => {
  let limiter: RateLimiter;
  beforeEach(() => {
    limiter = createRedisRateLimiter({ redis: suite.redis() });
  });
  rateLimiterContract(() => limiter);
});
