// The behaviour every PromptRepeatStore must have, as a reusable suite run against SQLite and Redis.
import type { PromptRepeatStore, PromptSeen } from './prompt-repeat-store.ts';

const T0 = Date.UTC(2026, 11, 9, 10);
const seen = (over: Partial<PromptSeen>): PromptSeen => ({ tenant: 'acme', workload: 'daily-reporting', fingerprint: 'f1', costMicroUsd: 1000n, atMs: T0, ...over });

/** Registers the contract tests; `store()` is a fresh, empty store for the current test. */
export function promptRepeatStoreContract(store: () => PromptRepeatStore): void {
  it('counts requests whose prompt was already seen in the window, and what they cost', async () => {
    await store().record([
      seen({ fingerprint: 'f1', atMs: T0 }),
      seen({ fingerprint: 'f1', atMs: T0 + 1, costMicroUsd: 2000n }),
      seen({ fingerprint: 'f1', atMs: T0 + 2, costMicroUsd: 3000n }),
      seen({ fingerprint: 'f2', atMs: T0 + 3 }),
      seen({ workload: 'support-bot', fingerprint: 'f1', atMs: T0 + 4 }),
    ]);
    expect(await store().repeats({ sinceMs: T0, untilMs: T0 + 10 })).toEqual([
      { workload: 'daily-reporting', requests: 4, repeated: 2, repeatedCostMicroUsd: 5000n },
      { workload: 'support-bot', requests: 1, repeated: 0, repeatedCostMicroUsd: 0n },
    ]);
  });

  it('filters by tenant, workload and window; other tenants never count as repeats', async () => {
    await store().record([seen({ atMs: T0 }), seen({ tenant: 'globex', atMs: T0 + 1 }), seen({ atMs: T0 + 100 })]);
    expect(await store().repeats({ tenant: 'globex', sinceMs: T0, untilMs: T0 + 200 })).toEqual([{ workload: 'daily-reporting', requests: 1, repeated: 0, repeatedCostMicroUsd: 0n }]);
    expect(await store().repeats({ tenant: 'acme', workload: 'daily-reporting', sinceMs: T0, untilMs: T0 + 50 })).toEqual([{ workload: 'daily-reporting', requests: 1, repeated: 0, repeatedCostMicroUsd: 0n }]);
    expect(await store().repeats({ sinceMs: T0, untilMs: T0 + 200 })).toEqual([{ workload: 'daily-reporting', requests: 3, repeated: 1, repeatedCostMicroUsd: 1000n }]);
    expect(await store().repeats({ workload: 'nope', sinceMs: T0, untilMs: T0 + 200 })).toEqual([]);
  });

  it('drops fingerprints older than the retention when newer ones are written', async () => {
    await store().record([seen({ atMs: T0 })]);
    await store().record([seen({ atMs: T0 + 40 * 86_400_000 })]);
    expect(await store().repeats({ sinceMs: 0, untilMs: T0 + 41 * 86_400_000 })).toEqual([{ workload: 'daily-reporting', requests: 1, repeated: 0, repeatedCostMicroUsd: 0n }]);
  });
}
