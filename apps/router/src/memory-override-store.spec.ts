import { createMemoryOverrideStore } from './memory-override-store.ts';
import type { RoutingOverride } from './routing-override.ts';

const o = (id: string, extra: Partial<RoutingOverride> = {}): RoutingOverride => ({
  id,
  kind: 'backend',
  scope: 'global',
  scopeValue: '',
  backend: 'gpu',
  createdBy: 'ops',
  reason: 'test',
  createdAt: 0,
  ...extra,
});

describe('memory override store', () => {
  it('counts claims down to zero, then the override is gone', async () => {
    const store = createMemoryOverrideStore(() => 0);
    await store.add(o('n', { remaining: 2 }));
    expect(await store.claim('n')).toBe(1);
    expect((await store.list(0))[0]?.remaining).toBe(1);
    expect(await store.claim('n')).toBe(0);
    expect(await store.claim('n')).toBeUndefined();
    expect(await store.list(0)).toEqual([]);
  });

  it('takes back a use from a refused request, even the last one within the grace period, never a cleared one', async () => {
    let now = 0;
    const store = createMemoryOverrideStore(() => now);
    await store.add(o('n', { remaining: 1 }));
    expect(await store.claim('n')).toBe(0);
    expect(await store.list(now)).toEqual([]);
    await store.refund(o('n', { remaining: 1 }));
    expect((await store.list(now))[0]?.remaining).toBe(1);
    expect(await store.claim('n')).toBe(0);
    now = 60_001;
    expect(await store.list(now)).toEqual([]);
    await store.refund(o('n', { remaining: 1 }));
    expect(await store.list(now)).toEqual([]);
    await store.add(o('c', { remaining: 3 }));
    expect(await store.claim('c')).toBe(2);
    expect(await store.remove('c')).toBe(true);
    await store.refund(o('c', { remaining: 3 }));
    expect(await store.list(now)).toEqual([]);
  });

  it('does not claim an unlimited or expired override, and lists only live ones', async () => {
    let now = 0;
    const store = createMemoryOverrideStore(() => now);
    await store.add(o('unlimited'));
    await store.add(o('timed', { remaining: 5, expiresAt: 100 }));
    expect(await store.claim('unlimited')).toBeUndefined();
    now = 100;
    expect(await store.claim('timed')).toBeUndefined();
    expect((await store.list(now)).map((x) => x.id)).toEqual(['unlimited']);
    expect(store.shared).toBe(false);
  });
});
