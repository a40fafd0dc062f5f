// Every npm script that runs a TypeScript file must do so through the Node 24 shim
// (tools/node/with-node.sh): with a system node older than 22, a bare `node src/x.ts` fails with
// ERR_UNKNOWN_FILE_EXTENSION, which is how `npm run measure -w @sophia/sql` broke as documented.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '@sophia/dev';

function packageFiles(root: string): string[] {
  const files = ['package.json'];
  for (const group of ['apps', 'libs', 'tools']) {
    for (const name of readdirSync(path.join(root, group)).sort()) {
      const file = path.join(group, name, 'package.json');
      if (existsSync(path.join(root, file))) files.push(file);
    }
  }
  return files;
}

/** Scripts that start node on a .ts file without the shim in front. */
function bareNodeScripts(scripts: Record<string, string>): string[] {
  return Object.entries(scripts)
    .filter(([, cmd]) => /(^|[;&|]\s*)node\s+\S+\.ts\b/.test(cmd) && !cmd.includes('with-node.sh'))
    .map(([name, cmd]) => `${name}: ${cmd}`);
}

it('recognises a bare node script and accepts the shimmed form', () => {
  expect(bareNodeScripts({ measure: 'node src/measure.ts', start: 'sh ../../tools/node/with-node.sh node src/main.ts', test: 'jest' })).toEqual(['measure: node src/measure.ts']);
});

it('every npm script that runs a .ts file goes through the Node 24 shim', () => {
  const root = findRepoRoot();
  const bare = packageFiles(root).flatMap((file) => {
    const pkg = JSON.parse(readFileSync(path.join(root, file), 'utf8')) as { scripts?: Record<string, string> };
    return bareNodeScripts(pkg.scripts ?? {}).map((s) => `${file}: ${s}`);
  });
  expect(bare).toEqual([]);
});
