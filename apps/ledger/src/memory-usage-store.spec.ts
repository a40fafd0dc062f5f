import { createMemoryUsageStore, type MemoryUsageStore } from './memory-usage-store.ts';
import { budgetStoreContract } from './budget-store-contract.ts';
import { usageRecord, usageStoreContract } from './usage-store-contract.ts';

describe('createMemoryUsageStore', () => {
  let store: MemoryUsageStore;
  beforeEach(() => {
    store = createMemoryUsageStore();
  });

  usageStoreContract(() => store);
  describe('budgets', () => budgetStoreContract(() => store));

  it('counts each id once under concurrent records', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, (_, i) => store.record(usageRecord({ requestId: `r${i % 100}`, costMicroUsd: 3 }))),
    );
    expect(outcomes.filter((o) => o.recorded)).toHaveLength(100);
    expect(store.size()).toBe(100);
  });
});
