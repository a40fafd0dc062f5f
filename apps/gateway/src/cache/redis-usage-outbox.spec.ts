// Real redis-server: the same contract as the embedded store.
import { describeWithRedis } from '../testing/describe-with-redis.ts';
import { usageOutboxContract } from './usage-outbox-contract.ts';
import { createRedisUsageOutbox, type UsageOutbox } from './usage-outbox.ts';

describeWithRedis('redis usage outbox', (suite) => {
  let outbox: UsageOutbox;
  beforeEach(() => {
    outbox = createRedisUsageOutbox(suite.redis());
  });
  usageOutboxContract(() => outbox);
});
