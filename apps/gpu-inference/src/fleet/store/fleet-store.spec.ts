import { describeWithRedis } from '@sophia/platform/testing';
import { memoryStateDatabase, tempDataDir } from '@sophia/state-store/testing';
import { openDataDir, type StateDatabase } from '@sophia/state-store';
import { fleetInstance, fleetStoreContract } from './fleet-store-contract.ts';
import type { FleetStore } from './fleet-store.ts';
import { createMemoryFleetStore } from './memory-fleet-store.ts';
import { createRedisFleetStore } from './redis-fleet-store.ts';
import { createSqliteFleetStore, FLEET_STORE_SCHEMA } from './sqlite-fleet-store.ts';

describe('memory fleet store', () => {
  let store: FleetStore;
  beforeEach(() => (store = createMemoryFleetStore()));
  fleetStoreContract(() => store);
});

describe('SQLite fleet store', () => {
  let state: StateDatabase;
  let store: FleetStore;
  beforeEach(() => {
    state = memoryStateDatabase(FLEET_STORE_SCHEMA);
    store = createSqliteFleetStore(state.db);
  });
  afterEach(() => state.close());
  fleetStoreContract(() => store);

  it('keeps instances, audit and operator holds across a reopen of the state file', async () => {
    const dir = tempDataDir();
    try {
      const first = openDataDir({ dataDir: dir.dir }, [FLEET_STORE_SCHEMA]);
      await createSqliteFleetStore(first.db).putInstance(fleetInstance({ id: 'a' }));
      await createSqliteFleetStore(first.db).appendAudit({ at: 1, action: 'launch', detail: 'd' });
      await createSqliteFleetStore(first.db).putHold({ tier: 'balanced', count: 2, untilMs: 9000 });
      first.close();
      const second = openDataDir({ dataDir: dir.dir }, [FLEET_STORE_SCHEMA]);
      const reopened = createSqliteFleetStore(second.db);
      expect((await reopened.liveInstances()).map((i) => i.id)).toEqual(['a']);
      expect(await reopened.recentAudit(5)).toEqual([{ at: 1, action: 'launch', detail: 'd' }]);
      expect(await reopened.activeHolds(1000)).toEqual([{ tier: 'balanced', count: 2, untilMs: 9000 }]);
      second.close();
    } finally {
      dir.remove();
    }
  });
});

describeWithRedis('Redis fleet store (real redis-server)', (suite) => {
  let store: FleetStore;
  let n = 0;
  beforeEach(() => (store = createRedisFleetStore({ redis: suite.redis(), keyPrefix: `{fleet-test${n++}}:` })));
  fleetStoreContract(() => store);
});
