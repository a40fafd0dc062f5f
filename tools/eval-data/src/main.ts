// `npm run data [-- --dest DIR] [--source URL]`: fetches the public evaluation data (see datasets.ts)
// into ./eval-data, where the tools look first. Exit 0 when every fetchable file is in place,
// 1 when a file could not be fetched or failed its checksum (named), 2 on bad arguments.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SOURCE } from './dataset.ts';
import { DATASETS } from './datasets.ts';
import { EVAL_DATA_FOLDER } from './eval-data-dir.ts';
import { DataFetchError, fetchDatasets } from './fetch-datasets.ts';

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
`);
  process.exit(0);
}
const dest = path.resolve(values.dest ?? path.join(root, EVAL_DATA_FOLDER));
const source = values.source ?? process.env['SOPHIA_EVAL_DATA_SOURCE'] ?? DEFAULT_SOURCE;
try {
  const outcomes = await fetchDatasets({ datasets: DATASETS, dest, source, log: (line) => process.stdout.write(`${line}\n`) });
  for (const d of DATASETS) {
    const states = d.files.map((f) => outcomes.get(f.path));
    const missing = states.filter((s) => s === 'manual-missing').length;
    const line = `${d.name}: ${d.files.length - missing}/${d.files.length} files in place · ${d.repo}@${d.revision.slice(0, 12)} · licence ${d.licence}`;
    process.stdout.write(`${line}\n`);
    if (missing > 0 && d.manual) process.stdout.write(`  not fetched automatically: ${d.manual}\n`);
  }
  process.stdout.write(`data in ${dest} (sources and licences: ${path.join(dest, 'SOURCES.json')})\n`);
} catch (err) {
  if (!(err instanceof DataFetchError)) throw err;
  process.stderr.write(`data: ${err.message}\n`);
  process.exit(1);
}
