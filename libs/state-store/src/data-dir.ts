// Where the embedded state lives: SOPHIA_DATA_DIR, default ./data. The default directory is created on
// first start (a fresh clone has none); a directory named explicitly must already exist, because a
// typo there would otherwise start an empty store — budgets and usage silently gone.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { StateStoreError } from './state-store-error.ts';

/** Env key of the data directory. */
export const DATA_DIR_KEY = 'SOPHIA_DATA_DIR';
/** Used when SOPHIA_DATA_DIR is unset (relative to the working directory; gitignored). */
export const DEFAULT_DATA_DIR = './data';
/** The state file inside the data directory; every embedded store keeps its tables in it. */
export const STATE_FILE = 'sophia.db';

function errno(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ?? e.message;
}

/**
 * The absolute data directory, checked: created when it is the default and missing; otherwise it must
 * exist, be a directory and be writable.
 * @throws StateStoreError `data_dir_unusable` naming the directory and the reason
 */
export function prepareDataDir(configured: string | undefined): string {
  const dir = resolve(configured ?? DEFAULT_DATA_DIR);
  const named = configured === undefined ? `data directory ${dir} (default; set ${DATA_DIR_KEY} to move it)` : `${DATA_DIR_KEY} ${dir}`;
  const fail = (why: string, cause?: unknown): never => {
    throw new StateStoreError('data_dir_unusable', `${named}: ${why}`, cause === undefined ? undefined : { cause });
  };
  let exists = true;
  try {
    if (!statSync(dir).isDirectory()) fail('is not a directory');
  } catch (error) {
    if (error instanceof StateStoreError) throw error;
    if (errno(error) !== 'ENOENT') fail(`cannot be read (${errno(error)})`, error);
    exists = false;
  }
  if (!exists) {
    if (configured !== undefined) fail('does not exist (create it, or unset the key to use ./data)');
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      fail(`cannot be created (${errno(error)})`, error);
    }
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    fail(`is not writable (${errno(error)}): the ledger cannot record usage there`, error);
  }
  return dir;
}
