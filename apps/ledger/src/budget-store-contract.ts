// Budget behaviour both stores must share (run by the memory and Redis specs).
import type { BudgetStore } from './budget-store.ts';
import { T0, usageRecord } from './usage-store-contract.ts';
import type { UsageStore } from './usage-store.ts';

const DAY = 86_400_000;
const TTL = 60_000;

/** Registers the budget contract tests; `store()` returns a fresh, empty store for each test. */
export function budgetStoreContract(store: () => UsageStore & BudgetStore): void {
  const reserve = (reservationId: string, amountMicroUsd: number, nowMs = T0, tenant = 'acme') =>
    store().reserve({ tenant, reservationId, amountMicroUsd, nowMs, ttlMs: TTL });

  it('grants any reservation when the tenant has no limit, and shows it as reserved', async () => {
    const outcome = await reserve('r1', 1_000_000_000);
    expect(outcome).toEqual({
      granted: true,
      states: [
        { window: 'day', period: '2026-11-26', limitMicroUsd: undefined, spentMicroUsd: 0, reservedMicroUsd: 1_000_000_000 },
        { window: 'month', period: '2026-11', limitMicroUsd: undefined, spentMicroUsd: 0, reservedMicroUsd: 1_000_000_000 },
      ],
    });
  });

  it('refuses a reservation that would overrun spent + reserved, naming the window', async () => {
    await store().setLimit('acme', 'day', 100);
    await store().record(usageRecord({ requestId: 'done', costMicroUsd: 60 }));
    expect((await reserve('r1', 41)).exceeded).toBe('day');
    expect((await reserve('r1', 40)).granted).toBe(true);
    const refused = await reserve('r2', 1);
    expect(refused).toMatchObject({ granted: false, exceeded: 'day' });
    expect(refused.states[0]).toMatchObject({ limitMicroUsd: 100, spentMicroUsd: 60, reservedMicroUsd: 40 });
    expect((await reserve('r3', 1, T0, 'other-tenant')).granted).toBe(true);
  });

  it('turns a reservation into actual spend when its request is recorded, once', async () => {
    await store().setLimit('acme', 'month', 1000);
    await reserve('req-1', 400);
    await store().record(usageRecord({ requestId: 'req-1', costMicroUsd: 150 }));
    await store().record(usageRecord({ requestId: 'req-1', costMicroUsd: 150 }));
    const [day, month] = await store().status('acme', T0);
    expect(day).toMatchObject({ spentMicroUsd: 150, reservedMicroUsd: 0 });
    expect(month).toMatchObject({ limitMicroUsd: 1000, spentMicroUsd: 150, reservedMicroUsd: 0 });
    expect(await store().release('acme', 'req-1')).toBe(false);
  });

  it('releases a reservation without spend', async () => {
    await reserve('r1', 70);
    expect(await store().release('acme', 'r1')).toBe(true);
    expect(await store().release('acme', 'r1')).toBe(false);
    expect((await store().status('acme', T0))[0]).toMatchObject({ spentMicroUsd: 0, reservedMicroUsd: 0 });
  });

  it('counts a repeated reservation id once', async () => {
    await store().setLimit('acme', 'day', 100);
    expect((await reserve('r1', 60)).granted).toBe(true);
    const again = await reserve('r1', 60);
    expect(again.granted).toBe(true);
    expect(again.states[0]?.reservedMicroUsd).toBe(60);
  });

  it('stops counting a reservation after its TTL', async () => {
    await store().setLimit('acme', 'day', 100);
    await reserve('stale', 100);
    expect((await reserve('fresh', 1, T0 + TTL - 1)).granted).toBe(false);
    expect((await reserve('fresh', 100, T0 + TTL)).granted).toBe(true);
    expect((await store().status('acme', T0 + TTL))[0]?.reservedMicroUsd).toBe(100);
  });

  it('keeps day and month spend per UTC period', async () => {
    await store().setLimit('acme', 'day', 50);
    await store().setLimit('acme', 'month', 100);
    await store().record(usageRecord({ requestId: 'yesterday', costMicroUsd: 45, timeMs: T0 - 1 }));
    await store().record(usageRecord({ requestId: 'today', costMicroUsd: 45, timeMs: T0 }));
    const today = await store().status('acme', T0 + 1000);
    expect(today.map((s) => [s.period, s.spentMicroUsd])).toEqual([
      ['2026-11-26', 45],
      ['2026-11', 90],
    ]);
    expect(await reserve('r1', 6, T0 + 1000)).toMatchObject({ granted: false, exceeded: 'day' });
    expect(await reserve('r1', 5, T0 + DAY)).toMatchObject({ granted: true });
    expect(await reserve('r2', 6, T0 + DAY)).toMatchObject({ granted: false, exceeded: 'month' });
    await store().setLimit('acme', 'month', undefined);
    expect(await reserve('r2', 6, T0 + DAY)).toMatchObject({ granted: true });
  });

  it('rejects negative amounts and non-positive TTLs', async () => {
    await expect(store().reserve({ tenant: 'acme', reservationId: 'x', amountMicroUsd: -1, nowMs: T0, ttlMs: TTL })).rejects.toThrow('amountMicroUsd');
    await expect(store().reserve({ tenant: 'acme', reservationId: 'x', amountMicroUsd: 1, nowMs: T0, ttlMs: 0 })).rejects.toThrow('ttlMs');
  });
}
