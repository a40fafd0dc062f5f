import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCatalogWatcher, type CatalogWatcher } from './catalog-watcher.ts';
import type { PriceCatalog } from './price-catalog.ts';
import { testCatalogFile } from './testing/test-catalog.ts';

function versioned(version: string, smallInputUsd = 0.025): string {
  const file = testCatalogFile();
  file.version = version;
  file.models[0]!.serverless!.inputUsdPerMTok = smallInputUsd;
  return JSON.stringify(file);
}

describe('createCatalogWatcher', () => {
  let dir: string;
  let path: string;
  let watcher: CatalogWatcher | undefined;
  let changes: PriceCatalog[];
  let errors: Error[];
  let waiters: Array<() => void>;

  const nextEvent = (): Promise<void> => new Promise((resolve) => waiters.push(resolve));
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'catalog-watch-'));
    path = join(dir, 'catalog.json');
    writeFileSync(path, versioned('v1'));
    changes = [];
    errors = [];
    waiters = [];
    watcher = createCatalogWatcher(
      path,
      (c) => {
        changes.push(c);
        wake();
      },
      {
        debounceMs: 5,
        onError: (e) => {
          errors.push(e);
          wake();
        },
      },
    );
  });
  afterEach(() => {
    watcher?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with the file as it is', () => {
    expect(watcher!.current().version).toBe('v1');
  });

  it('reloads when the file is rewritten in place', async () => {
    const changed = nextEvent();
    writeFileSync(path, versioned('v2', 0.5));
    await changed;
    expect(watcher!.current().version).toBe('v2');
    expect(watcher!.current().findModel('small')?.serverless?.inputMicroUsdPerMTok).toBe(500_000);
    expect(changes.map((c) => c.version)).toEqual(['v2']);
  });

  it('reloads when the file is replaced by a rename (editor or ConfigMap style)', async () => {
    const changed = nextEvent();
    const tmp = join(dir, '.catalog.json.tmp');
    writeFileSync(tmp, versioned('v3'));
    renameSync(tmp, path);
    await changed;
    expect(watcher!.current().version).toBe('v3');
  });

  it('keeps the old catalog and reports the error when the new file is invalid', async () => {
    const failed = nextEvent();
    writeFileSync(path, versioned('v4', -1));
    await failed;
    expect(errors[0]?.message).toContain('models[0].serverless.inputUsdPerMTok');
    expect(watcher!.current().version).toBe('v1');
    expect(changes).toEqual([]);

    const fixed = nextEvent();
    writeFileSync(path, versioned('v5'));
    await fixed;
    expect(watcher!.current().version).toBe('v5');
  });

  it('reloads on demand and ignores unchanged content', () => {
    expect(watcher!.reload()).toBe(false);
    writeFileSync(path, versioned('v6'));
    expect(watcher!.reload()).toBe(true);
    expect(watcher!.current().version).toBe('v6');
  });

  it('fails fast when the initial file is invalid', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{}');
    expect(() => createCatalogWatcher(bad, () => undefined)).toThrow('invalid price catalog');
  });
});
