// The behaviour every PlanStore must have, as a reusable suite run against SQLite and Redis.
import type { PlanRecord, PlanStore } from './plan-store.ts';

/** 2026-12-09T10:00:00Z */
export const PLAN_T0 = Date.UTC(2026, 11, 9, 10);

/** A pending plan with overridable fields. */
export function planRecord(overrides: Partial<PlanRecord> & Pick<PlanRecord, 'id'>): PlanRecord {
  return {
    tenant: 'acme',
    intent: 'route.next',
    argsJson: '{"n":10,"backend":"gpu"}',
    summary: 'route the next 10 requests to gpu',
    costEffect: '≈ +$0.01',
    createdAtMs: PLAN_T0,
    expiresAtMs: PLAN_T0 + 600_000,
    status: 'pending',
    ...overrides,
  };
}

/** Registers the contract tests; `store()` is a fresh, empty store for the current test. */
export function planStoreContract(store: () => PlanStore): void {
  it('keeps a plan as created', async () => {
    await store().create(planRecord({ id: 'p1', monthlyCostDeltaUsd: -12.5 }));
    expect(await store().get('p1')).toEqual(planRecord({ id: 'p1', monthlyCostDeltaUsd: -12.5 }));
    expect(await store().get('nope')).toBeUndefined();
  });

  it('claims a pending plan once; a second claim sees it in progress, then applied', async () => {
    await store().create(planRecord({ id: 'p2' }));
    const first = await store().claim('p2', PLAN_T0 + 1);
    expect(first).toEqual({ kind: 'claimed', plan: planRecord({ id: 'p2', status: 'applying' }) });
    expect((await store().claim('p2', PLAN_T0 + 2)).kind).toBe('in_progress');
    await store().finish('p2', { appliedAtMs: PLAN_T0 + 3, appliedBy: 'acme', auditId: 'a1', resultJson: '{}' });
    const again = await store().claim('p2', PLAN_T0 + 4);
    expect(again).toEqual({ kind: 'applied', plan: planRecord({ id: 'p2', status: 'applied', appliedAtMs: PLAN_T0 + 3, appliedBy: 'acme', auditId: 'a1', resultJson: '{}' }) });
  });

  it('races: of many concurrent claims exactly one wins', async () => {
    await store().create(planRecord({ id: 'p3' }));
    const claims = await Promise.all(Array.from({ length: 8 }, () => store().claim('p3', PLAN_T0 + 1)));
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
  });

  it('refuses an expired plan and an unknown one', async () => {
    await store().create(planRecord({ id: 'p4' }));
    expect((await store().claim('p4', PLAN_T0 + 600_000)).kind).toBe('expired');
    expect(await store().claim('missing', PLAN_T0)).toEqual({ kind: 'unknown' });
  });

  it('a released claim can be claimed again', async () => {
    await store().create(planRecord({ id: 'p5' }));
    await store().claim('p5', PLAN_T0 + 1);
    await store().release('p5');
    expect((await store().get('p5'))?.status).toBe('pending');
    expect((await store().claim('p5', PLAN_T0 + 2)).kind).toBe('claimed');
  });
}
