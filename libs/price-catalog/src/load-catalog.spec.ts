import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOG_TIERS } from './price-catalog.ts';
import { loadCatalog } from './load-catalog.ts';
import { testCatalogFile } from './testing/test-catalog.ts';

describe('loadCatalog', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'price-catalog-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the bundled catalog with at least two models per tier', () => {
    const catalog = loadCatalog();
    expect(catalog.version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const tier of CATALOG_TIERS) expect(catalog.modelsForTier(tier).length).toBeGreaterThanOrEqual(2);
    expect(catalog.findModel('meta-llama/Llama-3.1-8B-Instruct')?.gpu?.outputTokPerSec).toBe(5000);
    expect(catalog.providers['lambda']?.deprecated).toContain('2025-09-25');
    expect(catalog.gpuInstances.find((g) => g.name === 'gpu_1x_a100')?.microUsdPerHour).toBe(1_990_000);
  });

  it('loads a file by path', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify(testCatalogFile()));
    expect(loadCatalog(path).version).toBe('test-1');
  });

  it('names the file when its JSON is malformed', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ "version": ');
    expect(() => loadCatalog(path)).toThrow(`invalid price catalog (${path}): <root>: not valid JSON`);
  });

  it('passes the fs error through when the file is missing', () => {
    expect(() => loadCatalog(join(dir, 'absent.json'))).toThrow(expect.objectContaining({ code: 'ENOENT' }) as Error);
  });
});

describe('loadCatalog under plain Node (native type stripping, ESM)', () => {
  it('loads the bundled JSON module there too', () => {
    const entry = join(__dirname, 'index.ts');
    const script = `const m = await import(${JSON.stringify(entry)}); const c = m.loadCatalog(); console.log(JSON.stringify([c.version, c.models.length]));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([loadCatalog().version, loadCatalog().models.length]);
  });
});
