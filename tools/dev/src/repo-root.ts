import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The monorepo root: the nearest ancestor of `from` whose package.json is "sophia-mesh". Found
 * by walking up rather than from `import.meta`, so it works under Node and under Jest's CJS
 * transform alike.
 */
export function findRepoRoot(from: string = process.cwd()): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'sophia-mesh') return dir;
      } catch {
        // unreadable package.json: keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`not inside the sophia-mesh repository: ${from}`);
    dir = parent;
  }
}
