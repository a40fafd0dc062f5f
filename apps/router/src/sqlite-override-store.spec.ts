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

  it('decodes the rows once and again only after a change, made by this store or another connection to the file', async () => {
    const temp = tempDataDir();
    try {
      const a = openDataDir({ dataDir: temp.dir }, [OVERRIDE_SCHEMA]);
      const b = openDataDir({ dataDir: temp.dir }, [OVERRIDE_SCHEMA]);
      const corrupt: string[] = [];
      const reader = createSqliteOverrideStore(a.db, { onCorrupt: (id) => corrupt.push(id) });
      const writer = createSqliteOverrideStore(b.db);
      a.db.prepare("INSERT INTO router_overrides (id, json) VALUES ('bad', '{')").run();
      expect(await reader.list(Date.now())).toEqual([]);
      expect(await reader.list(Date.now())).toEqual([]);
      expect(corrupt).toEqual(['bad']);
      await writer.add(override('n', { remaining: 3 }));
      expect((await reader.list(Date.now())).map((o) => [o.id, o.remaining])).toEqual([['n', 3]]);
      expect(corrupt).toEqual(['bad', 'bad']);
      await writer.claim('n');
      expect((await reader.list(Date.now())).map((o) => [o.id, o.remaining])).toEqual([['n', 2]]);
      expect(await writer.remove('n')).toBe(true);
      expect(await reader.list(Date.now())).toEqual([]);
      a.close();
      b.close();
    } finally {
      temp.remove();
    }
  });

  it('drops a kept override from the list once it expires, without a change to the table', async () => {
    let now = 1_000_000;
    const clocked = createSqliteOverrideStore(memoryStateDatabase(OVERRIDE_SCHEMA).db, { clock: () => now });
    await clocked.add(override('short', { expiresAt: now + 100 }));
    expect((await clocked.list(now)).map((o) => o.id)).toEqual(['short']);
    now += 100;
    expect(await clocked.list(now)).toEqual([]);
  });
});
