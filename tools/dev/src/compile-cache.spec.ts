import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPILE_CACHE_DIR, COMPILE_CACHE_KEY, compileCacheEnv, DISABLE_COMPILE_CACHE_KEY, warmCompileCache } from './compile-cache.ts';
import { findRepoRoot } from './repo-root.ts';

const root = findRepoRoot();
const dirs: string[] = [];
const scratch = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'compile-cache-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Whether the mesh host (loading its entry and every service's code, `--load-only`) loads Node's type stripper. */
function loadsTypeStripper(env: Record<string, string>): boolean {
  const probe = `data:text/javascript,process.on('exit', () => process.stderr.write('amaro=' + process.moduleLoadList.some((m) => m.includes('amaro'))))`;
  const { [COMPILE_CACHE_KEY]: _, ...rest } = process.env;
  const run = spawnSync(process.execPath, ['--import', probe, join(root, 'apps/mesh/src/main.ts'), '--load-only'], { env: { ...rest, ...env }, encoding: 'utf8' });
  expect({ status: run.status, stderr: run.stderr.replace(/amaro=\w+/, '') }).toEqual({ status: 0, stderr: '' });
  return run.stderr.includes('amaro=true');
}

describe('compileCacheEnv', () => {
  it('points every mesh process at the checkout cache, unless the operator chose one or disabled it', () => {
    expect(compileCacheEnv({}, '/repo')).toEqual({ [COMPILE_CACHE_KEY]: join('/repo', COMPILE_CACHE_DIR) });
    expect(compileCacheEnv({ [COMPILE_CACHE_KEY]: '/elsewhere' }, '/repo')).toEqual({});
    expect(compileCacheEnv({ [DISABLE_COMPILE_CACHE_KEY]: '1' }, '/repo')).toEqual({});
  });
});

describe('warmCompileCache', () => {
  it('fills the cache once, after which the mesh host and every service load without the type stripper', async () => {
    const dir = join(scratch(), 'cache');
    expect(loadsTypeStripper({ [COMPILE_CACHE_KEY]: dir })).toBe(true); // cold: amaro strips the files
    await expect(warmCompileCache({ root, env: { ...process.env, [COMPILE_CACHE_KEY]: dir } })).resolves.toBe(true);
    expect(readdirSync(dir).length).toBeGreaterThan(1);
    expect(loadsTypeStripper({ [COMPILE_CACHE_KEY]: dir })).toBe(false);
    await expect(warmCompileCache({ root, env: { ...process.env, [COMPILE_CACHE_KEY]: dir } })).resolves.toBe(false);
  });

  it('does nothing without a cache directory or when the cache is disabled', async () => {
    const dir = join(scratch(), 'cache');
    await expect(warmCompileCache({ root, env: {} })).resolves.toBe(false);
    await expect(warmCompileCache({ root, env: { [COMPILE_CACHE_KEY]: dir, [DISABLE_COMPILE_CACHE_KEY]: '1' } })).resolves.toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('rejects with the reason when the service code cannot be loaded', async () => {
    const dir = join(scratch(), 'cache');
    await expect(warmCompileCache({ root: scratch(), env: { ...process.env, [COMPILE_CACHE_KEY]: dir } })).rejects.toThrow(/warming the compile cache .* failed \(exit 1\)/);
  });
});
