import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureWebBuild, type WebBuilder } from './ensure-web-build.ts';

describe('ensureWebBuild', () => {
  let root: string;
  const sources = ['apps/web/src', 'apps/web/index.html'];
  let builds = 0;
  const builder: WebBuilder = async (_appDir, outDir) => {
    builds += 1;
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'index.html'), `build ${builds}`);
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'sophia-web-build-'));
    await mkdir(join(root, 'apps', 'web', 'src'), { recursive: true });
    await writeFile(join(root, 'apps', 'web', 'src', 'main.ts'), 'one');
    await writeFile(join(root, 'apps', 'web', 'index.html'), '<html>');
    builds = 0;
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('builds when dist is missing, skips while the sources are unchanged, rebuilds after an edit', async () => {
    const first = await ensureWebBuild({ root, builder, sources });
    expect(first.built).toBe(true);
    expect(await readFile(join(first.dir, 'index.html'), 'utf8')).toBe('build 1');
    const second = await ensureWebBuild({ root, builder, sources });
    expect(second).toEqual({ ...first, built: false });
    await writeFile(join(root, 'apps', 'web', 'src', 'main.ts'), 'two');
    const third = await ensureWebBuild({ root, builder, sources });
    expect(third.built).toBe(true);
    expect(third.sourceHash).not.toBe(first.sourceHash);
    expect(await readFile(join(third.dir, 'index.html'), 'utf8')).toBe('build 2');
  });

  it('rebuilds a dist without a stamp (built by hand) and a dist whose index.html is gone', async () => {
    await mkdir(join(root, 'apps', 'web', 'dist'), { recursive: true });
    await writeFile(join(root, 'apps', 'web', 'dist', 'index.html'), 'by hand');
    expect((await ensureWebBuild({ root, builder, sources })).built).toBe(true);
    await rm(join(root, 'apps', 'web', 'dist', 'index.html'));
    expect((await ensureWebBuild({ root, builder, sources })).built).toBe(true);
    expect(builds).toBe(2);
  });

  it('keeps the previous build and leaves no temporary folder when a build fails', async () => {
    const { dir } = await ensureWebBuild({ root, builder, sources });
    await writeFile(join(root, 'apps', 'web', 'src', 'main.ts'), 'broken');
    const failing: WebBuilder = async (_appDir, outDir) => {
      await mkdir(outDir, { recursive: true });
      throw new Error('vite build failed (exit 1): src/main.ts: syntax error');
    };
    await expect(ensureWebBuild({ root, builder: failing, sources })).rejects.toThrow(/syntax error/);
    expect(await readFile(join(dir, 'index.html'), 'utf8')).toBe('build 1');
    expect(await readdir(join(root, 'node_modules', '.cache'))).toEqual([]);
  });

  it('fails naming the path when a source is missing', async () => {
    await expect(ensureWebBuild({ root, builder, sources: [...sources, 'apps/web/vite.config.ts'] })).rejects.toThrow(/vite\.config\.ts/);
    expect(existsSync(join(root, 'apps', 'web', 'dist'))).toBe(false);
  });
});
