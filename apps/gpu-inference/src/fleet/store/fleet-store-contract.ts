// The behaviour every FleetStore must have, as one suite run against the memory, SQLite and Redis
// implementations, so they cannot drift apart.
import { MINUTES_PER_WEEK, type FleetInstance, type FleetStore } from './fleet-store.ts';

/** A booting instance with overridable fields. */
export function fleetInstance(overrides: Partial<FleetInstance> & Pick<FleetInstance, 'id'>): FleetInstance {
  return {
    name: `sophia-fleet-simple-${overrides.id}`,
    tier: 'simple',
    instanceType: 'gpu_1x_h100_sxm5',
    region: 'us-east-1',
    microUsdPerHour: 4_290_000,
    state: 'booting',
    launchedAt: 1000,
    failedProbes: 0,
    ...overrides,
  };
}

/** Registers the contract tests; `store()` is a fresh, empty store for the current test. */
export function fleetStoreContract(store: () => FleetStore): void {
  it('lists live instances oldest launch first and keeps terminated ones as history only', async () => {
    await store().putInstance(fleetInstance({ id: 'b', launchedAt: 2000 }));
    await store().putInstance(fleetInstance({ id: 'a', launchedAt: 1000 }));
    await store().putInstance(fleetInstance({ id: 'c', launchedAt: 3000 }));
    await store().putInstance(fleetInstance({ id: 'c', launchedAt: 3000, state: 'terminated', terminatedAt: 4000 }));
    expect((await store().liveInstances()).map((i) => i.id)).toEqual(['a', 'b']);
    expect(await store().getInstance('c')).toEqual(fleetInstance({ id: 'c', launchedAt: 3000, state: 'terminated', terminatedAt: 4000 }));
    expect(await store().getInstance('nope')).toBeUndefined();
  });

  it('replaces a record as a whole', async () => {
    await store().putInstance(fleetInstance({ id: 'a', lastError: 'x' }));
    const ready = fleetInstance({ id: 'a', state: 'in_pool', readyAt: 5000, baseUrl: 'http://10.0.0.1:8000' });
    await store().putInstance(ready);
    expect(await store().liveInstances()).toEqual([ready]);
  });

  it('returns the newest audit entries first', async () => {
    for (let i = 0; i < 5; i++) await store().appendAudit({ at: i, action: 'launch', tier: 'simple', instanceId: `i${i}`, detail: `n${i}` });
    expect((await store().recentAudit(3)).map((e) => e.detail)).toEqual(['n4', 'n3', 'n2']);
    expect(await store().recentAudit(10)).toHaveLength(5);
  });

  it('keeps one hold per tier, newest wins, and answers only unexpired ones in tier order', async () => {
    await store().putHold({ tier: 'complex', count: 1, untilMs: 5000 });
    await store().putHold({ tier: 'simple', count: 2, untilMs: 3000 });
    await store().putHold({ tier: 'simple', count: 3, untilMs: 4000 });
    expect(await store().activeHolds(1000)).toEqual([
      { tier: 'simple', count: 3, untilMs: 4000 },
      { tier: 'complex', count: 1, untilMs: 5000 },
    ]);
    expect(await store().activeHolds(4000)).toEqual([{ tier: 'complex', count: 1, untilMs: 5000 }]);
    expect(await store().activeHolds(5000)).toEqual([]);
  });

  it('gives the controller lease to one holder at a time, renews it for its holder, and hands it over on release or expiry', async () => {
    const now = Date.now();
    expect(await store().tryLease('a', now, 60_000)).toBe(true);
    expect(await store().tryLease('b', now, 60_000)).toBe(false);
    expect(await store().tryLease('a', now + 10, 60_000)).toBe(true);
    await store().releaseLease('b'); // not b's: no effect
    expect(await store().tryLease('b', now + 20, 60_000)).toBe(false);
    await store().releaseLease('a');
    expect(await store().tryLease('b', now + 30, 50)).toBe(true);
    await new Promise((r) => setTimeout(r, 120)); // b's 50 ms lease runs out (Redis expires it on its own clock)
    expect(await store().tryLease('a', Date.now(), 60_000)).toBe(true);
  });

  it('adds each minute to its minute of the week once, and sums a span of the week across the weeks seen, wrapping at its end', async () => {
    const week = MINUTES_PER_WEEK;
    expect(await store().weeklyDemand('simple', 0, 10)).toEqual({ total: { requests: 0, promptTokens: 0, completionTokens: 0 }, firstMinute: undefined });
    expect(await store().addWeeklyDemand('simple', 100, { requests: 1, promptTokens: 10, completionTokens: 20 })).toBe(true);
    expect(await store().addWeeklyDemand('simple', 101, { requests: 2, promptTokens: 20, completionTokens: 40 })).toBe(true);
    // A minute at or before the last one added (a restart re-reading the same minutes) is not counted again.
    expect(await store().addWeeklyDemand('simple', 101, { requests: 9, promptTokens: 9, completionTokens: 9 })).toBe(false);
    expect(await store().addWeeklyDemand('simple', 50, { requests: 9, promptTokens: 9, completionTokens: 9 })).toBe(false);
    // The same minute a week later lands in the same slot; the last minute of the week wraps with the first.
    expect(await store().addWeeklyDemand('simple', week + 100, { requests: 3, promptTokens: 30, completionTokens: 60 })).toBe(true);
    expect(await store().addWeeklyDemand('simple', 2 * week - 1, { requests: 4, promptTokens: 40, completionTokens: 80 })).toBe(true);
    expect(await store().addWeeklyDemand('balanced', 2 * week, { requests: 5, promptTokens: 50, completionTokens: 100 })).toBe(true);
    expect(await store().weeklyDemand('simple', 2 * week + 100, 2)).toEqual({ total: { requests: 6, promptTokens: 60, completionTokens: 120 }, firstMinute: 100 });
    expect(await store().weeklyDemand('simple', 3 * week - 1, 103)).toEqual({ total: { requests: 10, promptTokens: 100, completionTokens: 200 }, firstMinute: 100 });
    expect(await store().weeklyDemand('balanced', 0, week)).toEqual({ total: { requests: 5, promptTokens: 50, completionTokens: 100 }, firstMinute: 2 * week });
  });
}
