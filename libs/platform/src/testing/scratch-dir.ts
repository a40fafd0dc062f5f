import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
// Registered once per test file (jest evaluates this module in each file's own registry), at load
// time — never from inside a test, where jest refuses new hooks.
const afterAllHook = (globalThis as { afterAll?: (fn: () => void) => void }).afterAll;
afterAllHook?.(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A new empty folder under the OS temp dir, removed with everything in it after the test file's
 * last test — so a spec never leaves `cfg-*`, `sql-*`… behind (CI fails on any leftover), even when
 * a test fails halfway. Import it at the top of a spec file.
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
