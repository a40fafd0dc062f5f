// Real redis-server: the same contract as the embedded store.
import { describeWithRedis } from '@sophia/platform/testing';
import { responseCacheStoreContract } from './response-cache-store-contract.ts';
import { createRedisResponseCacheStore, type ResponseCacheStore } from './response-cache-store.ts';

describeWithRedis('redis response cache store', (suite) => {
  let store: ResponseCacheStore;
  beforeEach(() => {
    store = createRedisResponseCacheStore(suite.redis());
  });
  responseCacheStoreContract(() => store);
});
