import { memoryStateDatabase } from '@sophia/state-store/testing';
import { responseCacheStoreContract } from './response-cache-store-contract.ts';
import { createSqliteResponseCacheStore, RESPONSE_CACHE_SCHEMA, type ResponseCacheStore } from './response-cache-store.ts';

describe('sqlite response cache store', () => {
  let store: ResponseCacheStore;
  let close: () => void;
  beforeEach(() => {
    const db = memoryStateDatabase(RESPONSE_CACHE_SCHEMA);
    store = createSqliteResponseCacheStore(db.db, 3);
    close = () => db.close();
  });
  afterEach(() => close());
  responseCacheStoreContract(() => store);

  it('keeps at most maxEntries, evicting the entries closest to expiry', async () => {
    for (let i = 0; i < 5; i++) await store.put(`k${i}`, [`${i}`], 1000 + i, 60_000);
    const left = await Promise.all([0, 1, 2, 3, 4].map((i) => store.get(`k${i}`, 2000)));
    expect(left.map((e) => e !== undefined)).toEqual([false, false, true, true, true]);
  });
});
