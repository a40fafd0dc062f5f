// The repository's own docs against the registry: a documented command nobody registered (or an
// entry no document shows) fails npm test too, before CI runs the commands.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '@sophia/dev';
import { findDrift, loadRegistry } from './command-registry.ts';
import { docsFiles } from './docs-files.ts';
import { extractCommands } from './extract-commands.ts';

it('every command in the READMEs and docs/ is registered in tools/docs-check/docs-commands.yaml, and nothing else is', () => {
  const root = findRepoRoot();
  const documented = docsFiles(root).flatMap((f) => extractCommands(f, readFileSync(path.join(root, f), 'utf8')));
  const drift = findDrift(documented, loadRegistry(path.join(root, 'tools/docs-check/docs-commands.yaml')));
  expect(drift.unregistered.map((c) => `${c.file}:${c.line}: ${c.command}`)).toEqual([]);
  expect(drift.stale.map((e) => e.command)).toEqual([]);
  expect(documented.length).toBeGreaterThan(100);
});
