import { memoryStateDatabase } from '@sophia/state-store/testing';
import type { StateDatabase } from '@sophia/state-store';
import { runawayCounterStoreContract } from './runaway-counter-store-contract.ts';
import { createSqliteRunawayCounterStore, RUNAWAY_COUNTER_SCHEMA, type RunawayCounterStore } from './runaway-counter-store.ts';

describe('sqlite runaway counter store', () => {
  let state: StateDatabase;
  let store: RunawayCounterStore;
  beforeEach(() => {
    state = memoryStateDatabase(RUNAWAY_COUNTER_SCHEMA);
    store = createSqliteRunawayCounterStore(state.db);
  });
  afterEach(() => state.close());
  runawayCounterStoreContract(() => store);

  it('forgets counters idle for many time constants', async () => {
    for (let i = 0; i < 10; i++) await store.add('acme', [{ key: `p${i}`, tauMs: 1000, amount: 1 }], 0);
    const rows = (): number => Number((state.db.prepare('SELECT COUNT(*) AS n FROM gateway_runaway_counters').get() as { n: number }).n);
    expect(rows()).toBe(10);
    await store.add('acme', [{ key: 'fresh', tauMs: 1000, amount: 1 }], 8000);
    expect(rows()).toBe(1);
  });
});
