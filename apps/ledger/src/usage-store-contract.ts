// The behaviour every UsageStore must have, as a reusable suite: the in-process and Redis specs both
// run it, so the two implementations cannot drift apart.
import type { UsageRecord, UsageStore } from './usage-store.ts';

const DAY = 86_400_000;
/** 2026-11-26T00:00:00Z */
export const T0 = Date.UTC(2026, 10, 26);

/** A valid record with overridable fields. */
export function usageRecord(overrides: Partial<UsageRecord> & Pick<UsageRecord, 'requestId'>): UsageRecord {
  return {
    tenant: 'acme',
    model: 'small',
    backend: 'serverless',
    tier: 'simple',
    promptTokens: 100,
    completionTokens: 50,
    costMicroUsd: 5,
    catalogVersion: 'test-1',
    timeMs: T0,
    latencyMs: 12,
    fallback: false,
    completed: true,
    workloadTag: '',
    target: 'serverless:small',
    ...overrides,
  };
}

/** Registers the contract tests; `store()` returns the (fresh, empty) store for the current test. */
export function usageStoreContract(store: () => UsageStore): void {
  it('records once per request id and keeps the earlier record', async () => {
    const first = await store().record(usageRecord({ requestId: 'r1', costMicroUsd: 7 }));
    expect(first.recorded).toBe(true);
    expect(first.reservationHeld).toBe(false);
    const again = await store().record(usageRecord({ requestId: 'r1', costMicroUsd: 999, tenant: 'other' }));
    expect(again).toEqual({ recorded: false, record: usageRecord({ requestId: 'r1', costMicroUsd: 7 }), reservationHeld: false });
    const report = await store().query({ startMs: 0, endMs: T0 + DAY, groupBy: [] });
    expect(report.total).toEqual({ requests: 1n, promptTokens: 100n, completionTokens: 50n, costMicroUsd: 7n, cachedPromptTokens: 0n });
    expect(report.rows).toEqual([]);
  });

  it('selects the half-open period [start, end)', async () => {
    for (const [id, t] of [['before', T0 - 1], ['at-start', T0], ['inside', T0 + 5], ['at-end', T0 + 10]] as const) {
      await store().record(usageRecord({ requestId: id, timeMs: t, costMicroUsd: 1 }));
    }
    const report = await store().query({ startMs: T0, endMs: T0 + 10, groupBy: [] });
    expect(report.total.requests).toBe(2n);
    const empty = await store().query({ startMs: T0 + 3, endMs: T0 + 3, groupBy: [] });
    expect(empty.total.requests).toBe(0n);
  });

  it('groups by dimensions in the order asked, rows sorted by keys', async () => {
    await store().record(usageRecord({ requestId: 'a', tenant: 'acme', model: 'mid', tier: 'balanced', costMicroUsd: 30 }));
    await store().record(usageRecord({ requestId: 'b', tenant: 'acme', model: 'small', costMicroUsd: 3 }));
    await store().record(usageRecord({ requestId: 'c', tenant: 'beta', model: 'small', backend: 'gpu', costMicroUsd: 4 }));
    await store().record(usageRecord({ requestId: 'd', tenant: 'acme', model: 'small', costMicroUsd: 5, timeMs: T0 + DAY + 1 }));
    await store().record(usageRecord({ requestId: 'e', tenant: 'acme', model: 'small', costMicroUsd: 6, workloadTag: 'batch' }));

    const byModelTenant = await store().query({ startMs: 0, endMs: T0 + 2 * DAY, groupBy: ['model', 'tenant'] });
    expect(byModelTenant.rows.map((r) => [r.keys, r.requests, r.costMicroUsd])).toEqual([
      [['mid', 'acme'], 1n, 30n],
      [['small', 'acme'], 3n, 14n],
      [['small', 'beta'], 1n, 4n],
    ]);
    expect(byModelTenant.total.costMicroUsd).toBe(48n);

    const byDayBackend = await store().query({ startMs: 0, endMs: T0 + 2 * DAY, groupBy: ['day', 'backend', 'tier'] });
    expect(byDayBackend.rows.map((r) => [r.keys, r.requests])).toEqual([
      [['2026-11-26', 'gpu', 'simple'], 1n],
      [['2026-11-26', 'serverless', 'balanced'], 1n],
      [['2026-11-26', 'serverless', 'simple'], 2n],
      [['2026-11-27', 'serverless', 'simple'], 1n],
    ]);

    const byTag = await store().query({ startMs: 0, endMs: T0 + 2 * DAY, groupBy: ['workload_tag'] });
    expect(byTag.rows.map((r) => [r.keys, r.requests])).toEqual([
      [[''], 4n],
      [['batch'], 1n],
    ]);
  });

  it('groups by the serverless provider that answered, from roll-ups (whole days) and raw events (partial days) alike', async () => {
    await store().record(usageRecord({ requestId: 'p1', provider: 'deepinfra', costMicroUsd: 2 }));
    await store().record(usageRecord({ requestId: 'p2', provider: 'fireworks', costMicroUsd: 9 }));
    await store().record(usageRecord({ requestId: 'p3', provider: 'deepinfra', costMicroUsd: 3, timeMs: T0 + DAY + 5 }));
    await store().record(usageRecord({ requestId: 'p4', backend: 'gpu', target: 'gpu:small', costMicroUsd: 4 }));
    // T0's day is whole (roll-ups); the next day is partial (events).
    const byProvider = await store().query({ startMs: T0, endMs: T0 + DAY + 10, groupBy: ['provider', 'backend'] });
    expect(byProvider.rows.map((r) => [r.keys, r.requests, r.costMicroUsd])).toEqual([
      [['', 'gpu'], 1n, 4n],
      [['deepinfra', 'serverless'], 2n, 5n],
      [['fireworks', 'serverless'], 1n, 9n],
    ]);
  });

  it('sums prompt-cache hits from roll-ups (whole days) and raw events (partial days) alike, and keeps them on the record', async () => {
    await store().record(usageRecord({ requestId: 'k1', promptTokens: 100, cachedPromptTokens: 60 }));
    await store().record(usageRecord({ requestId: 'k2', promptTokens: 100 }));
    await store().record(usageRecord({ requestId: 'k3', promptTokens: 100, cachedPromptTokens: 30, timeMs: T0 + DAY + 5 }));
    await store().record(usageRecord({ requestId: 'k4', tenant: 'beta', promptTokens: 100, cachedPromptTokens: 7 }));
    // T0's day is whole (roll-ups); the next day is partial (events).
    const byTenant = await store().query({ startMs: T0, endMs: T0 + DAY + 10, groupBy: ['tenant'] });
    expect(byTenant.rows.map((r) => [r.keys, r.promptTokens, r.cachedPromptTokens])).toEqual([
      [['acme'], 300n, 90n],
      [['beta'], 100n, 7n],
    ]);
    expect(byTenant.total.cachedPromptTokens).toBe(97n);
    const again = await store().record(usageRecord({ requestId: 'k1' }));
    expect(again.record.cachedPromptTokens).toBe(60);
  });

  it('filters by tenant', async () => {
    await store().record(usageRecord({ requestId: 'x1', tenant: 'acme', costMicroUsd: 2 }));
    await store().record(usageRecord({ requestId: 'x2', tenant: 'beta', costMicroUsd: 3 }));
    await store().record(usageRecord({ requestId: 'x3', tenant: 'beta', costMicroUsd: 4, timeMs: T0 + DAY }));
    const beta = await store().query({ startMs: 0, endMs: T0 + DAY, groupBy: ['tenant'], tenant: 'beta' });
    expect(beta.rows.map((r) => [r.keys, r.costMicroUsd])).toEqual([[['beta'], 3n]]);
    const nobody = await store().query({ startMs: 0, endMs: T0 + DAY, groupBy: [], tenant: 'nobody' });
    expect(nobody.total.requests).toBe(0n);
  });

  it('sums beyond 2^53 exactly', async () => {
    const big = Number.MAX_SAFE_INTEGER - 1;
    await store().record(usageRecord({ requestId: 'big1', costMicroUsd: big }));
    await store().record(usageRecord({ requestId: 'big2', costMicroUsd: big }));
    const report = await store().query({ startMs: 0, endMs: T0 + 1, groupBy: [] });
    expect(report.total.costMicroUsd).toBe(2n * BigInt(big));
  });

  it('keeps request ids with separators and unicode apart', async () => {
    await store().record(usageRecord({ requestId: 'a|b', costMicroUsd: 1 }));
    await store().record(usageRecord({ requestId: 'a', costMicroUsd: 2 }));
    await store().record(usageRecord({ requestId: 'ünï|cødé 🚀', costMicroUsd: 4 }));
    expect((await store().record(usageRecord({ requestId: 'a|b', costMicroUsd: 100 }))).recorded).toBe(false);
    const report = await store().query({ startMs: 0, endMs: T0 + 1, groupBy: [] });
    expect(report.total).toEqual(expect.objectContaining({ requests: 3n, costMicroUsd: 7n }));
  });
}
