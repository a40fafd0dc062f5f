/** One file of a data set: where it goes, where it comes from upstream, what it must hash to. */
export interface DatasetFile {
  /** Path under the data folder ("routellm/gsm8k_responses.csv"), as the tools read it. */
  readonly path: string;
  /** Path inside the upstream repository at `revision`. */
  readonly upstream: string;
  /** SHA-256 of the file's bytes, lowercase hex. */
  readonly sha256: string;
  readonly bytes: number;
}

/** A public data set pinned to one upstream revision. */
export interface Dataset {
  readonly name: string;
  readonly description: string;
  /** GitHub "owner/name". */
  readonly repo: string;
  /** A 40-hex commit (fetchable), or a description of the release when `manual`. */
  readonly revision: string;
  readonly licence: string;
  /** The documented commands that read it. */
  readonly usedBy: readonly string[];
  /** Set when it cannot be fetched by `npm run data`: how to get it. Its files are still checked when present. */
  readonly manual?: string;
  readonly files: readonly DatasetFile[];
}

/** Where upstream files are fetched from: GitHub's raw file host, or a mirror with the same layout. */
export const DEFAULT_SOURCE = 'https://raw.githubusercontent.com';

/** The URL of one file: `<source>/<repo>/<revision>/<upstream>` (raw.githubusercontent.com's layout). */
export function fileUrl(source: string, dataset: Dataset, file: DatasetFile): string {
  return `${source.replace(/\/+$/, '')}/${dataset.repo}/${dataset.revision}/${file.upstream}`;
}
