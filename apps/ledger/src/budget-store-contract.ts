// Budget behaviour both stores must share (run by the memory and Redis specs).
import { createBudgetCalendar } from './budget-calendar.ts';
import { tenantScope, type BudgetStore } from './budget-store.ts';
import { T0, usageRecord } from './usage-store-contract.ts';
import type { UsageStore } from './usage-store.ts';

const DAY = 86_400_000;
const TTL = 60_000;
const ACME = tenantScope('acme');
const utc = createBudgetCalendar('UTC');

/** Registers the budget contract tests; `store()` returns a fresh, empty store (UTC periods) for each test. */
export function budgetStoreContract(store: () => UsageStore & BudgetStore): void {
  const reserve = (reservationId: string, amountMicroUsd: number, nowMs = T0, tenant = 'acme', extra: { model?: string; apiKey?: string } = {}) =>
    store().reserve({ tenant, reservationId, amountMicroUsd, nowMs, ttlMs: TTL, model: 'small', ...extra });

  it('grants any reservation when the tenant has no limit, and shows it as reserved in every scope', async () => {
    const outcome = await reserve('r1', 1_000_000_000);
    const window = (scope: { tenant: string; apiKey: string; model: string }, w: 'day' | 'month') => ({
      scope,
      window: w,
      period: w === 'day' ? '2026-11-26' : '2026-11',
      limitMicroUsd: undefined,
      spentMicroUsd: 0,
      reservedMicroUsd: 1_000_000_000,
      resetsAtMs: utc.resetsAtMs(w, T0),
    });
    const model = { tenant: 'acme', apiKey: '', model: 'small' };
    expect(outcome).toEqual({ granted: true, states: [window(ACME, 'day'), window(ACME, 'month'), window(model, 'day'), window(model, 'month')] });
    expect(outcome.states[0]?.resetsAtMs).toBe(T0 + DAY);
  });

  it('refuses a reservation that would overrun spent + reserved, naming the window', async () => {
    await store().setLimit(ACME, 'day', 100);
    await store().record(usageRecord({ requestId: 'done', costMicroUsd: 60 }));
    expect((await reserve('r1', 41)).exceeded).toMatchObject({ scope: ACME, window: 'day', limitMicroUsd: 100, spentMicroUsd: 60 });
    expect((await reserve('r1', 40)).granted).toBe(true);
    const refused = await reserve('r2', 1);
    expect(refused).toMatchObject({ granted: false, exceeded: { window: 'day' } });
    expect(refused.states[0]).toMatchObject({ limitMicroUsd: 100, spentMicroUsd: 60, reservedMicroUsd: 40 });
    expect((await reserve('r3', 1, T0, 'other-tenant')).granted).toBe(true);
  });

  it('applies per-model and per-api-key budgets only to their own requests', async () => {
    await store().setLimit({ tenant: 'acme', apiKey: '', model: 'small' }, 'day', 100);
    await store().setLimit({ tenant: 'acme', apiKey: 'k1', model: '' }, 'month', 50);
    expect((await reserve('m1', 60)).granted).toBe(true);
    expect((await reserve('m2', 60)).exceeded).toMatchObject({ scope: { model: 'small' }, window: 'day', reservedMicroUsd: 60 });
    expect((await reserve('m2', 60, T0, 'acme', { model: 'mid' })).granted).toBe(true);
    expect((await reserve('k-a', 30, T0, 'acme', { model: 'mid', apiKey: 'k1' })).granted).toBe(true);
    expect((await reserve('k-b', 30, T0, 'acme', { model: 'mid', apiKey: 'k1' })).exceeded).toMatchObject({
      scope: { apiKey: 'k1' },
      window: 'month',
      reservedMicroUsd: 30,
    });
    expect((await reserve('k-b', 30, T0, 'acme', { model: 'mid', apiKey: 'k2' })).granted).toBe(true);
    // Spend lands on the tenant, the model and the key.
    await store().record(usageRecord({ requestId: 'k-a', model: 'mid', apiKey: 'k1', costMicroUsd: 20 }));
    const status = await store().tenantStatus('acme', T0);
    expect(status.map((s) => [s.scope.apiKey, s.scope.model, s.window, s.spentMicroUsd, s.reservedMicroUsd])).toEqual([
      ['', '', 'day', 20, 150],
      ['', '', 'month', 20, 150],
      ['', 'small', 'day', 0, 60],
      ['', 'small', 'month', 0, 60],
      ['k1', '', 'day', 20, 0],
      ['k1', '', 'month', 20, 0],
    ]);
  });

  it("answers a reserve with the states a status read gives right after it, in every scope, granted, repeated or refused", async () => {
    const key = { tenant: 'acme', apiKey: 'k1', model: '' };
    const model = { tenant: 'acme', apiKey: '', model: 'small' };
    await store().setLimit(ACME, 'month', 1000);
    await store().setLimit(key, 'day', 300);
    await store().record(usageRecord({ requestId: 'spent', apiKey: 'k1', costMicroUsd: 100 }));
    await reserve('other-model', 50, T0, 'acme', { model: 'mid' });
    await reserve('other-key', 70, T0, 'acme', { apiKey: 'k2' });
    const statusOf = async () => [...(await store().status(ACME, T0)), ...(await store().status(model, T0)), ...(await store().status(key, T0))];
    const granted = await reserve('r1', 150, T0, 'acme', { apiKey: 'k1' });
    expect(granted.granted).toBe(true);
    expect(granted.states).toEqual(await statusOf());
    expect(granted.states.map((s) => s.reservedMicroUsd)).toEqual([270, 270, 220, 220, 150, 150]);
    expect((await reserve('r1', 150, T0, 'acme', { apiKey: 'k1' })).states).toEqual(await statusOf());
    const refused = await reserve('r2', 60, T0, 'acme', { apiKey: 'k1' });
    expect(refused).toMatchObject({ granted: false, exceeded: { scope: key, window: 'day' } });
    expect(refused.states).toEqual(await statusOf());
  });

  it('turns a reservation into actual spend when its request is recorded, once', async () => {
    await store().setLimit(ACME, 'month', 1000);
    await reserve('req-1', 400);
    expect((await store().record(usageRecord({ requestId: 'req-1', costMicroUsd: 150 }))).reservationHeld).toBe(true);
    expect((await store().record(usageRecord({ requestId: 'req-1', costMicroUsd: 150 }))).reservationHeld).toBe(false);
    const [day, month] = await store().status(ACME, T0);
    expect(day).toMatchObject({ spentMicroUsd: 150, reservedMicroUsd: 0 });
    expect(month).toMatchObject({ limitMicroUsd: 1000, spentMicroUsd: 150, reservedMicroUsd: 0 });
    expect(await store().release('acme', 'req-1')).toBe(false);
  });

  it('settles a reservation with another id when the record names it', async () => {
    await reserve('hold-9', 400);
    expect((await store().record(usageRecord({ requestId: 'req-9', costMicroUsd: 10 }), { reservationId: 'hold-9' })).reservationHeld).toBe(true);
    expect((await store().status(ACME, T0))[0]).toMatchObject({ spentMicroUsd: 10, reservedMicroUsd: 0 });
  });

  it('releases a reservation without spend', async () => {
    await reserve('r1', 70);
    expect(await store().release('acme', 'r1')).toBe(true);
    expect(await store().release('acme', 'r1')).toBe(false);
    expect((await store().status(ACME, T0))[0]).toMatchObject({ spentMicroUsd: 0, reservedMicroUsd: 0 });
  });

  it('counts a repeated reservation id once', async () => {
    await store().setLimit(ACME, 'day', 100);
    expect((await reserve('r1', 60)).granted).toBe(true);
    const again = await reserve('r1', 60);
    expect(again.granted).toBe(true);
    expect(again.states[0]?.reservedMicroUsd).toBe(60);
  });

  it('reclaims a reservation after its TTL (a crashed caller)', async () => {
    await store().setLimit(ACME, 'day', 100);
    await reserve('stale', 100);
    expect((await reserve('fresh', 1, T0 + TTL - 1)).granted).toBe(false);
    expect((await reserve('fresh', 100, T0 + TTL)).granted).toBe(true);
    expect((await store().status(ACME, T0 + TTL))[0]?.reservedMicroUsd).toBe(100);
    expect(await store().release('acme', 'stale')).toBe(false);
  });

  it('keeps day and month spend per period', async () => {
    await store().setLimit(ACME, 'day', 50);
    await store().setLimit(ACME, 'month', 100);
    await store().record(usageRecord({ requestId: 'yesterday', costMicroUsd: 45, timeMs: T0 - 1 }));
    await store().record(usageRecord({ requestId: 'today', costMicroUsd: 45, timeMs: T0 }));
    const today = await store().status(ACME, T0 + 1000);
    expect(today.map((s) => [s.period, s.spentMicroUsd])).toEqual([
      ['2026-11-26', 45],
      ['2026-11', 90],
    ]);
    expect(await reserve('r1', 6, T0 + 1000)).toMatchObject({ granted: false, exceeded: { window: 'day' } });
    expect(await reserve('r1', 5, T0 + DAY)).toMatchObject({ granted: true });
    expect(await reserve('r2', 6, T0 + DAY)).toMatchObject({ granted: false, exceeded: { window: 'month' } });
    expect(await store().setLimit(ACME, 'month', undefined)).toBe(100);
    expect(await reserve('r2', 6, T0 + DAY)).toMatchObject({ granted: true });
  });

  it('returns the previous limit and lists only scopes that still have one', async () => {
    const key = { tenant: 'acme', apiKey: 'k', model: '' };
    expect(await store().setLimit(key, 'day', 5)).toBeUndefined();
    expect(await store().setLimit(key, 'day', 7)).toBe(5);
    expect((await store().tenantStatus('acme', T0)).map((s) => s.scope.apiKey)).toEqual(['', '', 'k', 'k']);
    await store().setLimit(key, 'day', undefined);
    expect((await store().tenantStatus('acme', T0)).map((s) => s.scope.apiKey)).toEqual(['', '']);
  });

  it('learns the prompt calibration of a model from reservations carrying an estimate, once per settled record', async () => {
    expect(await store().promptCalibration('small')).toEqual({ samples: 0, maxRatioMilli: 0, maxExcessTokens: 0 });
    await store().reserve({ tenant: 'acme', reservationId: 'c1', amountMicroUsd: 10, nowMs: T0, ttlMs: TTL, model: 'small', promptEstimate: 100 });
    await store().record(usageRecord({ requestId: 'c1', promptTokens: 130 }));
    await store().record(usageRecord({ requestId: 'c1', promptTokens: 130 }));
    expect(await store().promptCalibration('small')).toEqual({ samples: 1, maxRatioMilli: 1300, maxExcessTokens: 30 });
    await store().reserve({ tenant: 'acme', reservationId: 'c2', amountMicroUsd: 10, nowMs: T0, ttlMs: TTL, model: 'small', promptEstimate: 1000 });
    await store().record(usageRecord({ requestId: 'c2', promptTokens: 1040 }));
    // No estimate held (no reservation, or one without an estimate): no sample.
    await store().record(usageRecord({ requestId: 'c3', promptTokens: 5000 }));
    await reserve('c4', 10);
    await store().record(usageRecord({ requestId: 'c4', promptTokens: 5000 }));
    expect(await store().promptCalibration('small')).toEqual({ samples: 2, maxRatioMilli: 1300, maxExcessTokens: 40 });
    expect((await store().promptCalibration('mid')).samples).toBe(0);
  });

  it('rejects negative amounts, limits and non-positive TTLs', async () => {
    await expect(store().reserve({ tenant: 'acme', reservationId: 'x', amountMicroUsd: -1, nowMs: T0, ttlMs: TTL })).rejects.toThrow('amountMicroUsd');
    await expect(store().reserve({ tenant: 'acme', reservationId: 'x', amountMicroUsd: 1, nowMs: T0, ttlMs: 0 })).rejects.toThrow('ttlMs');
    await expect(store().setLimit(ACME, 'day', -5)).rejects.toThrow('limitMicroUsd');
  });
}
