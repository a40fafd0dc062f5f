import type { Catalog } from '@sophia/sql-core';
import { createCachedCatalog, type CatalogLogger } from './catalog-source.ts';

const catalogOf = (...names: string[]): Catalog => ({ tables: names.map((name) => ({ name, columns: [{ name: 'ID', type: 'NUMBER' }] })) });

function recordingLogger(): CatalogLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (_obj, msg) => warnings.push(msg), info: () => undefined };
}

describe('createCachedCatalog (injected clock)', () => {
  it('loads on first use, serves the cache until the TTL, then reloads lazily', async () => {
    let t = 1_000;
    const results = [catalogOf('DB.S.A'), catalogOf('DB.S.A', 'DB.S.B')];
    let loads = 0;
    const cache = createCachedCatalog({ load: async () => results[loads++]!, ttlMs: 300, origin: 'test', logger: recordingLogger(), now: () => t });
    expect(loads).toBe(0);
    expect((await cache.current()).tables.map((x) => x.name)).toEqual(['DB.S.A']);
    t += 299;
    expect((await cache.current()).tables.map((x) => x.name)).toEqual(['DB.S.A']);
    expect(loads).toBe(1);
    t += 1;
    expect((await cache.current()).tables.map((x) => x.name)).toEqual(['DB.S.A', 'DB.S.B']);
    expect(loads).toBe(2);
    expect(cache.loadedAt()).toBe(1_300);
  });

  it('shares one reload between concurrent callers', async () => {
    let loads = 0;
    const cache = createCachedCatalog({ load: async () => (loads++, catalogOf('DB.S.A')), ttlMs: 10, origin: 'test', logger: recordingLogger(), now: () => 0 });
    const all = await Promise.all([cache.current(), cache.current(), cache.current()]);
    expect(loads).toBe(1);
    expect(new Set(all).size).toBe(1);
  });

  it('keeps the previous catalog when a refresh fails, logs it, and retries only after another TTL', async () => {
    let t = 0;
    let fail = false;
    let loads = 0;
    const logger = recordingLogger();
    const cache = createCachedCatalog({
      load: async () => {
        loads++;
        if (fail) throw new Error('warehouse down');
        return catalogOf(`DB.S.T${loads}`);
      },
      ttlMs: 100,
      origin: 'test',
      logger,
      now: () => t,
    });
    const first = await cache.current();
    fail = true;
    t = 100;
    expect(await cache.current()).toBe(first);
    expect(logger.warnings).toEqual(['sql catalog refresh failed; keeping the previous catalog']);
    t = 150;
    expect(await cache.current()).toBe(first);
    expect(loads).toBe(2);
    fail = false;
    t = 200;
    expect((await cache.current()).tables[0]!.name).toBe('DB.S.T3');
  });

  it('fails the first load (nothing to fall back to)', async () => {
    const cache = createCachedCatalog({ load: async () => Promise.reject(new Error('no warehouse')), ttlMs: 100, origin: 'test', logger: recordingLogger() });
    await expect(cache.current()).rejects.toThrow('no warehouse');
  });
});
