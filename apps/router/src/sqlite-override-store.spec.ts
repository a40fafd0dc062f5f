import { openDataDir } from '@sophia/state-store';
import { memoryStateDatabase, tempDataDir } from '@sophia/state-store/testing';
import { OVERRIDE_SCHEMA } from './override-schema.ts';
import { override, overrideStoreContract } from './override-store-contract.ts';
import type { OverrideStore } from './override-store.ts';
import { createSqliteOverrideStore } from './sqlite-override-store.ts';

describe('sqlite override store', () => {
  let store: OverrideStore;
  beforeEach(() => {
    store = createSqliteOverrideStore(memoryStateDatabase(OVERRIDE_SCHEMA).db);
  });
  overrideStoreContract(() => store);

  it('keeps a used-up override refundable for the grace period only', async () => {
    let now = 1_000_000;
    const clocked = createSqliteOverrideStore(memoryStateDatabase(OVERRIDE_SCHEMA).db, { clock: () => now });
    await clocked.add(override('n', { remaining: 1 }));
    expect(await clocked.claim('n')).toBe(0);
    now += 60_001;
    await clocked.refund(override('n', { remaining: 1 }));
    expect(await clocked.list(now)).toEqual([]);
  });

  it('keeps overrides and their remaining counts across a restart', async () => {
    const temp = tempDataDir();
    try {
      let state = openDataDir({ dataDir: temp.dir }, [OVERRIDE_SCHEMA]);
      const before = createSqliteOverrideStore(state.db);
      await before.add(override('n', { remaining: 5 }));
      await before.claim('n');
      await before.claim('n');
      state.close();
      state = openDataDir({ dataDir: temp.dir }, [OVERRIDE_SCHEMA]);
      expect((await createSqliteOverrideStore(state.db).list(Date.now())).map((o) => [o.id, o.remaining])).toEqual([['n', 3]]);
      state.close();
    } finally {
      temp.remove();
    }
  });
});
