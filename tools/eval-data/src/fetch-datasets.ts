import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileUrl, type Dataset, type DatasetFile } from './dataset.ts';

/** What happened to one file. */
export type FileOutcome = 'fetched' | 'present' | 'manual-missing';

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
}

/** A file that failed: which, where from, why. */
export class DataFetchError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'DataFetchError';
    this.file = file;
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** True when `file` is already in place with the pinned checksum. */
function inPlace(target: string, file: DatasetFile): boolean {
  return existsSync(target) && sha256(readFileSync(target)) === file.sha256;
}

/**
 * Fills `dest` with every fetchable data set at its pinned revision: files already there with the
 * right checksum are kept; others are downloaded to a temporary name, checked, then renamed (a
 * failed or corrupt download never leaves a file the tools would read). Manual data sets are only
 * checked when present. Writes `dest/SOURCES.json` (repo, revision, licence, files) last.
 * Rejects with a DataFetchError naming the first file that failed, its URL and the reason.
 */
export async function fetchDatasets(options: FetchOptions): Promise<Map<string, FileOutcome>> {
  const get = options.fetch ?? fetch;
  const log = options.log ?? (() => undefined);
  const outcomes = new Map<string, FileOutcome>();
  for (const dataset of options.datasets) {
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
      const url = fileUrl(options.source, dataset, file);
      let bytes: Uint8Array;
      try {
        const res = await get(url);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        bytes = new Uint8Array(await res.arrayBuffer());
      } catch (err) {
        throw new DataFetchError(target, `could not fetch ${url}: ${(err as Error).message}`);
      }
      const got = sha256(bytes);
      if (got !== file.sha256) throw new DataFetchError(target, `${url} has SHA-256 ${got}, expected ${file.sha256} (${dataset.repo}@${dataset.revision}); nothing was written`);
      mkdirSync(path.dirname(target), { recursive: true });
      const partial = `${target}.partial`;
      try {
        writeFileSync(partial, bytes);
        renameSync(partial, target);
      } finally {
        rmSync(partial, { force: true });
      }
      outcomes.set(file.path, 'fetched');
      log(`fetched ${file.path} (${bytes.byteLength.toLocaleString('en-US')} bytes, ${dataset.repo}@${dataset.revision.slice(0, 12)}, ${dataset.licence})`);
    }
  }
  mkdirSync(options.dest, { recursive: true });
  const sources = options.datasets.map((d) => ({ name: d.name, repo: d.repo, revision: d.revision, licence: d.licence, manual: d.manual, usedBy: d.usedBy, files: d.files.map((f) => ({ path: f.path, sha256: f.sha256 })) }));
  writeFileSync(path.join(options.dest, 'SOURCES.json'), `${JSON.stringify(sources, null, 2)}\n`);
  return outcomes;
}
