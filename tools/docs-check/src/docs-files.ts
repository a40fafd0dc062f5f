import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** The documents whose commands are checked: the README, docs/*.md and every app's, lib's and tool's README. */
export function docsFiles(root: string): string[] {
  const files = ['README.md'];
  const docs = path.join(root, 'docs');
  if (existsSync(docs)) files.push(...readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`));
  for (const group of ['apps', 'libs', 'tools']) {
    const dir = path.join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) if (existsSync(path.join(dir, name, 'README.md'))) files.push(`${group}/${name}/README.md`);
  }
  return files;
}
