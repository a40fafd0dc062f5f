import { openDataDir } from '@sophia/state-store';
import { memoryStateDatabase, tempDataDir } from '@sophia/state-store/testing';
import { OVERRIDE_SCHEMA } from './override-schema.ts';
import { override, overrideStoreContract } from './override-store-contract.ts';
import type { OverrideStore } from './override-store.ts';
import { createSqliteOverrideStore, SWEEP_INTERVAL_MS } from './sqlite-override-store.ts';

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

  it('deletes dead rows at most once per sweep interval, and never lists or removes one in between', async () => {
    let now = 1_000_000;
    const { db } = memoryStateDatabase(OVERRIDE_SCHEMA);
    const clocked = createSqliteOverrideStore(db, { clock: () => now });
    const rows = (): number => (db.prepare('SELECT count(*) AS n FROM router_overrides').get() as { n: number }).n;
    await clocked.add(override('short', { expiresAt: now + 100 }));
    await clocked.add(override('long', { expiresAt: now + 60_000 }));
    expect((await clocked.list(now)).map((o) => o.id)).toEqual(['long', 'short']);
    now += 200;
    // Expired but not swept yet: the row is still there, no reader sees it.
    expect((await clocked.list(now)).map((o) => o.id)).toEqual(['long']);
    expect(rows()).toBe(2);
    expect(await clocked.remove('short')).toBe(false);
    expect(rows()).toBe(1);
    await clocked.add(override('short2', { expiresAt: now + 100 }));
    now += SWEEP_INTERVAL_MS;
    await clocked.list(now);
    expect(rows()).toBe(1);
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
