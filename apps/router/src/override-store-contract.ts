// Behaviour every OverrideStore must have, run against the SQLite store and a real Redis: counts that
// go down to exactly zero, refunds, expiry, removal. Times are real (Redis expires keys on its clock).
import type { OverrideStore } from './override-store.ts';
import type { RoutingOverride } from './routing-override.ts';

/** An override with overridable fields (global backend → gpu, created now). */
export function override(id: string, extra: Partial<RoutingOverride> = {}): RoutingOverride {
  return { id, kind: 'backend', scope: 'global', scopeValue: '', backend: 'gpu', createdBy: 'ops', reason: 'test', createdAt: Date.now(), ...extra };
}

/** Registers the contract tests; `store()` returns a fresh, empty store for each test. */
export function overrideStoreContract(store: () => OverrideStore): void {
  it('counts claims down to zero, then the override is gone', async () => {
    await store().add(override('n', { remaining: 2 }));
    expect(await store().claim('n')).toBe(1);
    expect((await store().list(Date.now()))[0]?.remaining).toBe(1);
    expect(await store().claim('n')).toBe(0);
    expect(await store().claim('n')).toBeUndefined();
    expect(await store().list(Date.now())).toEqual([]);
  });

  it('takes back a use from a refused request, even the last one, never a cleared one', async () => {
    await store().add(override('n', { remaining: 1 }));
    expect(await store().claim('n')).toBe(0);
    expect(await store().list(Date.now())).toEqual([]);
    await store().refund(override('n', { remaining: 1 }));
    expect((await store().list(Date.now()))[0]?.remaining).toBe(1);
    await store().add(override('c', { remaining: 3 }));
    expect(await store().claim('c')).toBe(2);
    expect(await store().remove('c')).toBe(true);
    expect(await store().remove('c')).toBe(false);
    await store().refund(override('c', { remaining: 3 }));
    expect((await store().list(Date.now())).map((o) => o.id)).toEqual(['n']);
  });

  it('does not claim an unlimited or expired override, and lists only live ones', async () => {
    await store().add(override('unlimited'));
    await store().add(override('timed', { remaining: 5, expiresAt: Date.now() + 60_000 }));
    await store().add(override('past', { remaining: 5, expiresAt: Date.now() - 1 }));
    expect(await store().claim('unlimited')).toBeUndefined();
    expect(await store().claim('past')).toBeUndefined();
    expect((await store().list(Date.now())).map((o) => [o.id, o.remaining]).sort()).toEqual([
      ['timed', 5],
      ['unlimited', undefined],
    ]);
  });

  it('takes exactly N uses under concurrent claims', async () => {
    await store().add(override('n', { remaining: 10 }));
    const claims = await Promise.all(Array.from({ length: 40 }, () => store().claim('n')));
    expect(claims.filter((c) => c !== undefined).sort((a, b) => a! - b!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
}
