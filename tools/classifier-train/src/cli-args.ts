import { existsSync } from 'node:fs';
import path from 'node:path';
import { evalDataDir } from '@sophia/eval-data';

/** The repository root, from this file's location (tools/classifier-train/src). CLI-only: uses import.meta. */
export function repoRoot(): string {
  return path.resolve(import.meta.dirname, '../../..');
}

/** Default data directory: ./eval-data (`npm run data`), else ../shared/data beside the checkout. */
export function defaultDataDir(): string {
  return evalDataDir(repoRoot());
}

/** Default location of the committed weights read by `loadDefaultModel()`. */
export function defaultWeightsPath(): string {
  return path.join(repoRoot(), 'libs/classifier-core/src/model/weights.json');
}

/** Parses a numeric CLI option, naming the flag in the error. */
export function numberOption(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${flag} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * The data directory for a CLI: `--data` or the default, checked to hold `needed` (e.g. `routellm`).
 * A missing folder ends the run with exit 2 and a message naming the path and the flag, not a stack trace.
 */
export function dataDirOption(value: string | undefined, needed: string, command: string): string {
  const dir = value === undefined ? defaultDataDir() : evalDataDir(repoRoot(), value);
  const wanted = path.join(dir, needed);
  if (!existsSync(wanted)) {
    process.stderr.write(
      `${command}: ${wanted} not found: fetch the evaluation data with \`npm run data\`, or pass --data DIR, the folder that holds routellm/ and arena-hard/ (default: eval-data/ in the repository, else ../shared/data beside it)\n`,
    );
    process.exit(2);
  }
  return dir;
}
