// The behaviour every ResponseCacheStore must have, run against the embedded file and real Redis.
import type { ResponseCacheStore } from './response-cache-store.ts';

const T0 = Date.UTC(2026, 11, 5, 9);

/** Registers the contract tests; `store()` is a fresh, empty store for the current test. */
export function responseCacheStoreContract(store: () => ResponseCacheStore): void {
  it('returns what was put until it expires, then nothing', async () => {
    expect(await store().get('k1', T0)).toBeUndefined();
    await store().put('k1', ['ZXZlbnQx', 'ZXZlbnQy'], T0, 60_000);
    expect(await store().get('k1', T0 + 59_999)).toEqual(['ZXZlbnQx', 'ZXZlbnQy']);
    expect(await store().get('k1', T0 + 60_000)).toBeUndefined();
    expect(await store().get('k2', T0)).toBeUndefined();
  });

  it('replaces an entry put again under the same key', async () => {
    await store().put('k1', ['YQ=='], T0, 60_000);
    await store().put('k1', ['Yg=='], T0 + 1000, 60_000);
    expect(await store().get('k1', T0 + 60_500)).toEqual(['Yg==']);
  });
}
