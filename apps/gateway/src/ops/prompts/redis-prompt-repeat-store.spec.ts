// Real redis-server: the same contract as the SQLite store.
import { describeWithRedis } from '../../testing/describe-with-redis.ts';
import { promptRepeatStoreContract } from './prompt-repeat-store-contract.ts';
import { createRedisPromptRepeatStore } from './redis-prompt-repeat-store.ts';
import type { PromptRepeatStore } from './prompt-repeat-store.ts';

describeWithRedis('redis prompt repeat store', (suite) => {
  let store: PromptRepeatStore;
  beforeEach(() => {
    store = createRedisPromptRepeatStore({ redis: suite.redis() });
  });
  promptRepeatStoreContract(() => store);
});
