// Real redis-server: the same contract as the embedded store.
import { describeWithRedis } from '@sophia/platform/testing';
import { usageOutboxContract } from './usage-outbox-contract.ts';
import { createRedisUsageOutbox, type UsageOutbox } from './usage-outbox.ts';

describeWithRedis('redis usage outbox', (suite) => {
  let outbox: UsageOutbox;
  beforeEach(() => {
    outbox = createRedisUsageOutbox(suite.redis());
  });
  usageOutboxContract(() => outbox);
});
