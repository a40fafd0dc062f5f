import { createDemandWindow } from './demand-window.ts';
import { MINUTES_PER_WEEK } from './store/fleet-store.ts';
import { createMemoryFleetStore } from './store/memory-fleet-store.ts';
import { createWeeklyProfile, SETTLE_MINUTES } from './weekly-profile.ts';

const d = (completionTokens: number) => ({ requests: 1, promptTokens: 2 * completionTokens, completionTokens });

describe('weekly profile', () => {
  it('forecasts from the same minutes of past weeks once enough weeks were seen', async () => {
    const profile = createWeeklyProfile(createMemoryFleetStore());
    const w = createDemandWindow(100);
    w.record(0, d(0));
    w.record(60, d(600));
    await profile.addSettled('simple', w, 62 + SETTLE_MINUTES);
    expect(await profile.forecast('simple', 50, 10, 20, 1)).toBeUndefined();
    expect((await profile.forecast('simple', MINUTES_PER_WEEK + 50, 10, 20, 1))?.completionTokensPerMinute).toBe(30);
    expect(await profile.forecast('simple', MINUTES_PER_WEEK + 50, 10, 20, 2)).toBeUndefined();
    expect(await profile.forecast('balanced', MINUTES_PER_WEEK + 50, 10, 20, 1)).toBeUndefined();
  });

  it('adds only settled minutes, each once, so a restart keeps the weeks learned and a backfill of the same minutes counts nothing twice', async () => {
    const store = createMemoryFleetStore();
    const before = createWeeklyProfile(store);
    const w = createDemandWindow(100);
    w.record(10, d(100));
    w.record(11, d(100));
    // At minute 12 minute 11 has not settled yet: the ledger's usage of it may still come.
    await before.addSettled('simple', w, 12);
    expect((await store.weeklyDemand('simple', 0, 60)).total.completionTokens).toBe(100);
    await before.addSettled('simple', w, 13);
    await before.addSettled('simple', w, 13);
    expect((await store.weeklyDemand('simple', 0, 60)).total.completionTokens).toBe(200);
    // A restarted controller: a new profile over the same store, its window backfilled with the same minutes and a new one.
    const after = createWeeklyProfile(store);
    const backfilled = createDemandWindow(100);
    for (const m of [10, 11, 12]) backfilled.record(m, d(100));
    await after.addSettled('simple', backfilled, 14);
    expect((await store.weeklyDemand('simple', 0, 60)).total.completionTokens).toBe(300);
    expect((await after.forecast('simple', MINUTES_PER_WEEK + 10, 0, 10, 1))?.completionTokensPerMinute).toBe(30);
  });
});
