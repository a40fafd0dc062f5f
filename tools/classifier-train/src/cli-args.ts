import path from 'node:path';

/** The repository root, from this file's location (tools/classifier-train/src). CLI-only: uses import.meta. */
export function repoRoot(): string {
  return path.resolve(import.meta.dirname, '../../..');
}

/** Default data directory: `../shared/data` relative to the repo root (i.e. /work/shared/data here). */
export function defaultDataDir(): string {
  return path.resolve(repoRoot(), '../shared/data');
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
