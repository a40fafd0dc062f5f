import { openDataDir } from '@sophia/state-store';
import { memoryStateDatabase, tempDataDir } from '@sophia/state-store/testing';
import { planRecord, planStoreContract } from './plan-store-contract.ts';
import { createSqlitePlanStore, PLAN_STORE_SCHEMA } from './sqlite-plan-store.ts';
import type { PlanStore } from './plan-store.ts';

describe('sqlite plan store', () => {
  let store: PlanStore;
  let close: () => void;
  beforeEach(() => {
    const state = memoryStateDatabase(PLAN_STORE_SCHEMA);
    store = createSqlitePlanStore(state.db);
    close = () => state.close();
  });
  afterEach(() => close());
  planStoreContract(() => store);
});

describe('sqlite plan store on a data dir', () => {
  it('a plan survives closing and reopening the state file', async () => {
    const dir = tempDataDir();
    try {
      const first = openDataDir({ dataDir: dir.dir }, [PLAN_STORE_SCHEMA]);
      await createSqlitePlanStore(first.db).create(planRecord({ id: 'durable' }));
      first.close();
      const second = openDataDir({ dataDir: dir.dir }, [PLAN_STORE_SCHEMA]);
      expect((await createSqlitePlanStore(second.db).get('durable'))?.summary).toBe('route the next 10 requests to gpu');
      second.close();
    } finally {
      dir.remove();
    }
  });
});
