import { migrate } from '@sophia/state-store';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { promptRepeatStoreContract } from './prompt-repeat-store-contract.ts';
import { createSqlitePromptRepeatStore, PROMPT_REPEAT_STORE_SCHEMA } from './sqlite-prompt-repeat-store.ts';
import type { StateDatabase } from '@sophia/state-store';

const T0 = Date.UTC(2026, 11, 9, 10);
const DAY = 86_400_000;

describe('sqlite prompt repeat store', () => {
  let state: StateDatabase;
  beforeEach(() => {
    state = memoryStateDatabase(PROMPT_REPEAT_STORE_SCHEMA);
  });
  afterEach(() => state.close());
  promptRepeatStoreContract((options) => createSqlitePromptRepeatStore(state.db, options));

  const rows = (table: string): number => (state.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

  it('keeps one row per distinct prompt and day however often it repeats, at most promptsPerDay, none past the retention', async () => {
    const store = createSqlitePromptRepeatStore(state.db, { promptsPerDay: 100 });
    const batch = Array.from({ length: 2000 }, (_, i) => ({ tenant: 'acme', workload: 'w', fingerprint: `f${i % 10}`, costMicroUsd: 5n, atMs: T0 + i }));
    await store.record(batch);
    expect(rows('ops_prompt_day')).toBe(10);
    await store.record(batch.map((s, i) => ({ ...s, fingerprint: `distinct-${i}` })));
    expect(rows('ops_prompt_day')).toBe(100);
    expect(await store.repeats({ sinceMs: T0, untilMs: T0 + 1 })).toEqual([{ workload: 'w', requests: 4000, repeated: 1990, repeatedCostMicroUsd: 9950n }]);
    await store.record([{ ...batch[0]!, atMs: T0 + 40 * DAY }]);
    expect([rows('ops_prompt_day'), rows('ops_prompt_day_total')]).toEqual([1, 1]);
  });
});

describe('sqlite prompt repeat store migration v1 → v2', () => {
  it('folds the per-request rows into day rows with the same repeats, and drops the old table', async () => {
    const state = memoryStateDatabase({ ...PROMPT_REPEAT_STORE_SCHEMA, migrations: PROMPT_REPEAT_STORE_SCHEMA.migrations.slice(0, 1) });
    try {
      const insert = state.db.prepare('INSERT INTO ops_prompt_seen (tenant, workload, fingerprint, cost_micro_usd, at_ms) VALUES (?, ?, ?, ?, ?)');
      // Inserted out of time order: the day's first request (cost 4000) is the earliest, not the first row.
      for (const [tenant, fp, cost, at] of [['acme', 'f1', 1000, T0 + 2], ['acme', 'f1', 4000, T0], ['acme', 'f1', 2000, T0 + DAY], ['acme', 'f2', 3000, T0 + 1], ['globex', 'f1', 9000, T0]] as const) insert.run(tenant, 'w', fp, cost, at);
      migrate(state.db, PROMPT_REPEAT_STORE_SCHEMA, ':memory:');
      const store = createSqlitePromptRepeatStore(state.db);
      expect(await store.repeats({ sinceMs: T0, untilMs: T0 + 2 * DAY })).toEqual([{ workload: 'w', requests: 5, repeated: 2, repeatedCostMicroUsd: 3000n }]);
      expect(await store.repeats({ tenant: 'acme', sinceMs: T0 + DAY, untilMs: T0 + 2 * DAY })).toEqual([{ workload: 'w', requests: 1, repeated: 0, repeatedCostMicroUsd: 0n }]);
      expect(state.db.prepare("SELECT name FROM sqlite_master WHERE name = 'ops_prompt_seen'").get()).toBeUndefined();
    } finally {
      state.close();
    }
  });
});
