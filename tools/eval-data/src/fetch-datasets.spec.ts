// `npm run data` against a local HTTP mirror (no internet): fetched files land with their checksums,
// present files are kept, a corrupt or missing upstream file fails naming it and leaves nothing behind.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Dataset } from './dataset.ts';
import { DataFetchError, fetchDatasets } from './fetch-datasets.ts';

const REV = 'c2ad69388688796a93a4424e7a0dc9072ea372d2';
const hash = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The mirror's content, by URL path. */
const MIRROR: Record<string, string> = {
  [`/lm-sys/RouteLLM/${REV}/routellm/evals/gsm8k/gsm8k_responses.csv`]: 'prompt,weak,strong\n"2+2?",True,True\n',
  [`/lm-sys/RouteLLM/${REV}/routellm/evals/mmlu/responses/mmlu_x.csv`]: 'prompt,weak,strong\n"Q",False,True\n',
};

function dataset(overrides: Partial<Dataset> = {}, corrupt = false): Dataset {
  return {
    name: 'routellm',
    description: 'fixture',
    repo: 'lm-sys/RouteLLM',
    revision: REV,
    licence: 'Apache-2.0',
    usedBy: [],
    files: [
      { path: 'routellm/gsm8k_responses.csv', upstream: 'routellm/evals/gsm8k/gsm8k_responses.csv', sha256: hash(MIRROR[`/lm-sys/RouteLLM/${REV}/routellm/evals/gsm8k/gsm8k_responses.csv`]!), bytes: 0 },
      { path: 'routellm/mmlu/mmlu_x.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_x.csv', sha256: corrupt ? hash('something else') : hash(MIRROR[`/lm-sys/RouteLLM/${REV}/routellm/evals/mmlu/responses/mmlu_x.csv`]!), bytes: 0 },
    ],
    ...overrides,
  };
}

let server: Server;
let source: string;
let dest: string;
const served: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    served.push(req.url ?? '');
    const body = MIRROR[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/plain' }).end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  source = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  dest = mkdtempSync(path.join(tmpdir(), 'sophia-eval-data-'));
  served.length = 0;
});
afterEach(() => rmSync(dest, { recursive: true, force: true }));

describe('fetchDatasets from a local mirror', () => {
  it('fetches each file at its pinned revision, checks it, and records sources and licences', async () => {
    const outcomes = await fetchDatasets({ datasets: [dataset()], dest, source });
    expect([...outcomes.values()]).toEqual(['fetched', 'fetched']);
    expect(readFileSync(path.join(dest, 'routellm/gsm8k_responses.csv'), 'utf8')).toContain('2+2?');
    expect(served).toEqual([`/lm-sys/RouteLLM/${REV}/routellm/evals/gsm8k/gsm8k_responses.csv`, `/lm-sys/RouteLLM/${REV}/routellm/evals/mmlu/responses/mmlu_x.csv`]);
    const sources = JSON.parse(readFileSync(path.join(dest, 'SOURCES.json'), 'utf8')) as Array<{ repo: string; revision: string; licence: string }>;
    expect(sources[0]).toMatchObject({ repo: 'lm-sys/RouteLLM', revision: REV, licence: 'Apache-2.0' });
  });

  it('keeps files already in place and asks the mirror for nothing', async () => {
    await fetchDatasets({ datasets: [dataset()], dest, source });
    served.length = 0;
    const outcomes = await fetchDatasets({ datasets: [dataset()], dest, source });
    expect([...outcomes.values()]).toEqual(['present', 'present']);
    expect(served).toEqual([]);
  });

  it('refuses a file whose checksum differs, naming it, and writes nothing under its name', async () => {
    const err = await fetchDatasets({ datasets: [dataset({}, true)], dest, source }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFetchError);
    expect((err as Error).message).toContain('mmlu_x.csv');
    expect((err as Error).message).toMatch(/SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}/);
    expect(existsSync(path.join(dest, 'routellm/mmlu/mmlu_x.csv'))).toBe(false);
    expect(existsSync(path.join(dest, 'routellm/mmlu/mmlu_x.csv.partial'))).toBe(false);
  });

  it('names the URL and the status when the mirror lacks a file', async () => {
    const gone = dataset({ revision: 'ffffffffffffffffffffffffffffffffffffffff' });
    await expect(fetchDatasets({ datasets: [gone], dest, source })).rejects.toThrow(/gsm8k_responses\.csv: could not fetch http:\/\/127\.0\.0\.1:\d+\/lm-sys\/RouteLLM\/f{40}\/routellm\/evals\/gsm8k\/gsm8k_responses\.csv: HTTP 404/);
  });

  it('re-fetches a file that was changed on disk', async () => {
    await fetchDatasets({ datasets: [dataset()], dest, source });
    writeFileSync(path.join(dest, 'routellm/gsm8k_responses.csv'), 'edited');
    const outcomes = await fetchDatasets({ datasets: [dataset()], dest, source });
    expect(outcomes.get('routellm/gsm8k_responses.csv')).toBe('fetched');
    expect(readFileSync(path.join(dest, 'routellm/gsm8k_responses.csv'), 'utf8')).toContain('2+2?');
  });

  it('never fetches a manual data set; checks it when present', async () => {
    const manual = dataset({ manual: 'get it from the release archive' });
    const outcomes = await fetchDatasets({ datasets: [manual], dest, source });
    expect([...outcomes.values()]).toEqual(['manual-missing', 'manual-missing']);
    expect(served).toEqual([]);
    writeFileSync(path.join(dest, 'wrong.csv'), '');
    const present = dataset({ manual: 'x', files: [{ path: 'wrong.csv', upstream: 'wrong.csv', sha256: hash('right'), bytes: 5 }] });
    await expect(fetchDatasets({ datasets: [present], dest, source })).rejects.toThrow(/wrong\.csv: checksum differs/);
  });
});
