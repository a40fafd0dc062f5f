// Test helpers: an in-memory state database with given stores migrated, and a temporary data
// directory removed by the returned cleanup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateDatabase, type StateDatabase } from '../open-state-database.ts';
import type { StoreSchema } from '../store-schema.ts';

/** A fresh `:memory:` database with `schemas` migrated (what unit tests use instead of in-memory maps). */
export function memoryStateDatabase(...schemas: StoreSchema[]): StateDatabase {
  return openStateDatabase({ path: ':memory:', schemas });
}

/** A new empty directory under the OS temp dir; `remove` deletes it and everything in it. */
export function tempDataDir(prefix = 'sophia-data-'): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
