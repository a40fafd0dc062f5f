// The behaviour every PromptRepeatStore must have, as a reusable suite run against SQLite and Redis.
import type { PromptRepeatStore, PromptRepeatStoreOptions, PromptSeen } from './prompt-repeat-store.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 9, 10);
const seen = (over: Partial<PromptSeen>): PromptSeen => ({ tenant: 'acme', workload: 'daily-reporting', fingerprint: 'f1', costMicroUsd: 1000n, atMs: T0, ...over });

/** Registers the contract tests; `store(options)` is a store over the current test's fresh, empty state. */
export function promptRepeatStoreContract(store: (options?: PromptRepeatStoreOptions) => PromptRepeatStore): void {
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

  it('filters by tenant, workload and window (whole UTC days); other tenants never count as repeats', async () => {
    await store().record([seen({ atMs: T0 }), seen({ tenant: 'globex', atMs: T0 + 1 }), seen({ atMs: T0 + 2 * DAY })]);
    expect(await store().repeats({ tenant: 'globex', sinceMs: T0, untilMs: T0 + 3 * DAY })).toEqual([{ workload: 'daily-reporting', requests: 1, repeated: 0, repeatedCostMicroUsd: 0n }]);
    expect(await store().repeats({ tenant: 'acme', workload: 'daily-reporting', sinceMs: T0, untilMs: T0 + DAY })).toEqual([{ workload: 'daily-reporting', requests: 1, repeated: 0, repeatedCostMicroUsd: 0n }]);
    expect(await store().repeats({ sinceMs: T0, untilMs: T0 + 3 * DAY })).toEqual([{ workload: 'daily-reporting', requests: 3, repeated: 1, repeatedCostMicroUsd: 1000n }]);
    expect(await store().repeats({ workload: 'nope', sinceMs: T0, untilMs: T0 + 3 * DAY })).toEqual([]);
  });

  it('counts every day a window touches in full, and a repeat on a later day against the first day in the window', async () => {
    const dayStart = Math.floor(T0 / DAY) * DAY;
    await store().record([seen({ atMs: dayStart + 5, costMicroUsd: 7000n }), seen({ atMs: dayStart + DAY + 5, costMicroUsd: 2000n }), seen({ atMs: dayStart + DAY + 6, costMicroUsd: 3000n })]);
    // [T0, T0 + 1 ms) touches day 0 only; [day 0 noon, day 1 00:00:00.001) takes both days whole.
    expect(await store().repeats({ sinceMs: T0, untilMs: T0 + 1 })).toEqual([{ workload: 'daily-reporting', requests: 1, repeated: 0, repeatedCostMicroUsd: 0n }]);
    expect(await store().repeats({ sinceMs: dayStart + DAY / 2, untilMs: dayStart + DAY + 1 })).toEqual([{ workload: 'daily-reporting', requests: 3, repeated: 2, repeatedCostMicroUsd: 5000n }]);
    // Day 1 alone: its first request is the first of that prompt in the window.
    expect(await store().repeats({ sinceMs: dayStart + DAY, untilMs: dayStart + 2 * DAY })).toEqual([{ workload: 'daily-reporting', requests: 2, repeated: 1, repeatedCostMicroUsd: 3000n }]);
  });

  it('tracks at most promptsPerDay distinct prompts per tenant, workload and day; later new prompts are counted, never as repeats', async () => {
    const capped = store({ promptsPerDay: 2 });
    await capped.record(['f1', 'f2', 'f3', 'f1', 'f3'].map((fingerprint, i) => seen({ fingerprint, atMs: T0 + i })));
    await capped.record([seen({ workload: 'support-bot', fingerprint: 'f3', atMs: T0 + 10 }), seen({ fingerprint: 'f3', atMs: T0 + DAY }), seen({ fingerprint: 'f3', atMs: T0 + DAY + 1 })]);
    expect(await capped.repeats({ sinceMs: T0, untilMs: T0 + 1 })).toEqual([
      { workload: 'daily-reporting', requests: 5, repeated: 1, repeatedCostMicroUsd: 1000n },
      { workload: 'support-bot', requests: 1, repeated: 0, repeatedCostMicroUsd: 0n },
    ]);
    // The next day starts a fresh allowance: f3 is tracked there.
    expect(await capped.repeats({ workload: 'daily-reporting', sinceMs: T0 + DAY, untilMs: T0 + DAY + 1 })).toEqual([{ workload: 'daily-reporting', requests: 2, repeated: 1, repeatedCostMicroUsd: 1000n }]);
  });

  it('drops days older than the retention (31 days) when a newer day is written', async () => {
    await store().record([seen({ atMs: T0 })]);
    await store().record([seen({ atMs: T0 + 30 * DAY })]);
    expect(await store().repeats({ sinceMs: 0, untilMs: T0 + 41 * DAY })).toEqual([{ workload: 'daily-reporting', requests: 2, repeated: 1, repeatedCostMicroUsd: 1000n }]);
    await store().record([seen({ atMs: T0 + 31 * DAY }), seen({ atMs: T0 - 5 * DAY })]);
    expect(await store().repeats({ sinceMs: 0, untilMs: T0 + 41 * DAY })).toEqual([{ workload: 'daily-reporting', requests: 2, repeated: 1, repeatedCostMicroUsd: 1000n }]);
  });
}
