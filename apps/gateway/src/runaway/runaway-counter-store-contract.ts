// The behaviour every RunawayCounterStore must have, run against the embedded file and real Redis.
import type { RunawayCounterStore } from './runaway-counter-store.ts';

const T0 = Date.UTC(2026, 11, 5, 9);

/** Registers the contract tests; `store()` is a fresh, empty store for the current test. */
export function runawayCounterStoreContract(store: () => RunawayCounterStore): void {
  it('adds to a counter and decays it by its time constant', async () => {
    expect(await store().add('acme', [{ key: 'a', tauMs: 10_000, amount: 1 }], T0)).toEqual([1]);
    expect(await store().add('acme', [{ key: 'a', tauMs: 10_000, amount: 1 }], T0)).toEqual([2]);
    const [later] = await store().add('acme', [{ key: 'a', tauMs: 10_000, amount: 0 }], T0 + 10_000);
    expect(later).toBeCloseTo(2 / Math.E, 9);
    // A read (amount 0) changes nothing.
    const [again] = await store().add('acme', [{ key: 'a', tauMs: 10_000, amount: 0 }], T0 + 10_000);
    expect(again).toBeCloseTo(2 / Math.E, 9);
  });

  it('keeps counters apart per key and per tenant, and handles fractional amounts (spend)', async () => {
    const adds = [
      { key: 'spend', tauMs: 60_000, amount: 0.25 },
      { key: 'n', tauMs: 60_000, amount: 1 },
      { key: 'spend', tauMs: 60_000, amount: 0 },
    ];
    expect(await store().add('acme', adds, T0)).toEqual([0.25, 1, 0.25]);
    expect(await store().add('globex', [{ key: 'spend', tauMs: 60_000, amount: 0 }], T0)).toEqual([0]);
  });

  it('adds nothing while a guard counter reads at least its threshold, and adds as usual below it', async () => {
    const guard = { counters: 1, atLeast: 0.5 };
    const guarded = [
      { key: 'latch', tauMs: 60_000, amount: 0 },
      { key: 'count', tauMs: 60_000, amount: 1 },
    ];
    expect(await store().add('acme', guarded, T0, guard)).toEqual([0, 1]);
    await store().add('acme', [{ key: 'latch', tauMs: 60_000, amount: 1 }], T0);
    // Held: only the guard's value comes back, and the count is unchanged.
    expect(await store().add('acme', guarded, T0, guard)).toEqual([1]);
    expect(await store().add('acme', [{ key: 'count', tauMs: 60_000, amount: 0 }], T0)).toEqual([1]);
    // Decayed below the threshold (one time constant later: 1/e), counting resumes.
    const [latch, count] = await store().add('acme', guarded, T0 + 60_000, guard);
    expect(latch).toBeCloseTo(1 / Math.E, 9);
    expect(count).toBeCloseTo(1 / Math.E + 1, 9);
  });

  it('counts every one of many concurrent adds exactly once', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => store().add('acme', [{ key: 'c', tauMs: 1e9, amount: 1 }], T0)));
    expect(results.map((r) => Math.round(r[0]!)).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
}
