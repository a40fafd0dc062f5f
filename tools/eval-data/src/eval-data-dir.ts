import { existsSync } from 'node:fs';
import path from 'node:path';

/** The folder `npm run data` fills, relative to the repository root (gitignored). */
export const EVAL_DATA_FOLDER = 'eval-data';

/**
 * The folder the user typed the command in: npm sets INIT_CWD for `npm run` (also with `-w`, which
 * runs the script inside the workspace), so `--data rel/dir` means what it says from the repo root.
 */
export function invocationDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['INIT_CWD'] || process.cwd();
}

/**
 * Where the evaluation tools read data from: `--data DIR` (absolute, or relative to the folder the
 * command was typed in) when given; else `<repo>/eval-data` when `npm run data` filled it; else `../shared/data`
 * beside the checkout when it exists (the offline CI copy); else `<repo>/eval-data` (so the error
 * names the folder `npm run data` would fill).
 */
export function evalDataDir(repoRoot: string, explicit?: string, cwd: string = invocationDir()): string {
  if (explicit !== undefined && explicit !== '') return path.resolve(cwd, explicit);
  const fetched = path.join(repoRoot, EVAL_DATA_FOLDER);
  if (existsSync(fetched)) return fetched;
  const shared = path.resolve(repoRoot, '../shared/data');
  if (existsSync(shared)) return shared;
  return fetched;
}

/** Thrown when a data file a command needs is not there; the message names it and how to get it. */
export class MissingEvalDataError extends Error {
  readonly file: string;
  constructor(file: string) {
    super(`${file} not found: fetch the evaluation data with \`npm run data\` (or pass --data DIR, the folder that holds it)`);
    this.name = 'MissingEvalDataError';
    this.file = file;
  }
}

/** `dir/relative` when it exists; else a MissingEvalDataError naming the full path. */
export function requireEvalData(dir: string, relative: string): string {
  const file = path.join(dir, relative);
  if (!existsSync(file)) throw new MissingEvalDataError(file);
  return file;
}
