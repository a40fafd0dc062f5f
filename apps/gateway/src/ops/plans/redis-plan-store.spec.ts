// Real redis-server: the same contract as the SQLite store.
import { describeWithRedis } from '@sophia/platform/testing';
import { planStoreContract } from './plan-store-contract.ts';
import { createRedisPlanStore } from './redis-plan-store.ts';
import type { PlanStore } from './plan-store.ts';

describeWithRedis('redis plan store', (suite) => {
  let store: PlanStore;
  beforeEach(() => {
    store = createRedisPlanStore({ redis: suite.redis() });
  });
  planStoreContract(() => store);
});
