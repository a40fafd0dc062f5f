// The files an entry point loads: relative imports and workspace packages (`@sophia/x[/sub]`
// through their package.json "exports"), followed transitively. Used to prove the image contains
// everything a service needs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { isRecord } from './kube-object.ts';

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** Maps `@sophia/<name>` to its folder, from every workspace package.json under root. */
export function workspacePackages(root: string): Map<string, string> {
  const packages = new Map<string, string>();
  for (const top of ['apps', 'libs', 'tools']) {
    const dir = join(root, top);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const manifest = join(dir, name, 'package.json');
      if (!existsSync(manifest)) continue;
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as unknown;
      if (isRecord(parsed) && typeof parsed['name'] === 'string') packages.set(parsed['name'], join(dir, name));
    }
  }
  return packages;
}

function resolvePackage(specifier: string, packages: Map<string, string>, from: string): string | undefined {
  const match = /^(@sophia\/[^/]+)(\/.*)?$/.exec(specifier);
  if (!match) return undefined; // a node_modules dependency or a node: builtin
  const folder = packages.get(match[1]!);
  if (folder === undefined) throw new Error(`${from}: imports ${specifier}, which is no workspace package`);
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { exports?: unknown };
  const subpath = `.${match[2] ?? ''}`;
  const exportsField = manifest.exports;
  const target = typeof exportsField === 'string' && subpath === '.' ? exportsField : isRecord(exportsField) ? exportsField[subpath] : undefined;
  if (typeof target !== 'string') throw new Error(`${from}: ${match[1]} does not export "${subpath}"`);
  return join(folder, target);
}

/** Repository-relative paths of every file `entry` loads (itself included), sorted. */
export function importClosure(root: string, entry: string): string[] {
  const packages = workspacePackages(root);
  const seen = new Set<string>();
  const queue = [resolve(root, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    if (!existsSync(file)) throw new Error(`${relative(root, file)}: imported but missing`);
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const specifier = m[1] ?? m[2] ?? m[3]!;
      const where = relative(root, file);
      const next = specifier.startsWith('.') ? resolve(dirname(file), specifier) : resolvePackage(specifier, packages, where);
      if (next !== undefined) queue.push(next);
    }
  }
  return [...seen].map((f) => relative(root, f)).sort();
}
