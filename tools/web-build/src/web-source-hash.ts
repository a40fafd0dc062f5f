import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** What the web build is made from, relative to the repo root: the app, the generated contracts, the lockfile. */
export const WEB_SOURCES: readonly string[] = ['apps/web/index.html', 'apps/web/vite.config.ts', 'apps/web/package.json', 'apps/web/src', 'libs/contracts/src/gen', 'package-lock.json'];

async function filesUnder(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOTDIR') return undefined;
    throw err;
  });
  if (entries === undefined) return [path];
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(join(path, e.name)) : Promise.resolve([join(path, e.name)]))));
  return nested.flat();
}

/**
 * A digest of every source file's path and content. Content, not mtimes: a checkout or a copy that
 * touches every file does not force a rebuild, an edit always does.
 */
export async function webSourceHash(root: string, sources: readonly string[] = WEB_SOURCES): Promise<string> {
  const files = (await Promise.all(sources.map((s) => filesUnder(join(root, s))))).flat().sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(root, file)).update('\0');
    hash.update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}
