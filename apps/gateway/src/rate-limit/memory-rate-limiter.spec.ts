import { createMemoryRateLimiter } from './memory-rate-limiter.ts';
import { rateLimiterContract } from './rate-limiter-contract.ts';
import type { RateLimiter } from './rate-limiter.ts';

describe('memory rate limiter', () => {
  let limiter: RateLimiter;
  beforeEach(() => {
    limiter = createMemoryRateLimiter();
  });
  rateLimiterContract(() => limiter);
});
