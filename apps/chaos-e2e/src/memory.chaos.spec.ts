// #15 item 2, memory: "2,000 requests with 100 KB prompts leave every RSS where it was". Each mesh
// process (one in single-process, one per service otherwise) is read at rest after a full garbage
// collection (inspector-memory.ts): after a warm-up that gives it this load's working size (V8's
// heap, the allocator's free lists, caches, pools), then after each of ROUNDS equal rounds of the
// 2,000 requests under test. Its RSS, and the memory its JavaScript holds (heap in use plus external
// buffers), must not grow with the requests: growth is the robust trend over the readings
// (memory-trend.ts), so an allocator keeping a few MiB more or less from one reading to the next is
// not read as a leak, while retention — which grows with every request — is.
// Without the collection, RSS under load is V8's heap sizing: it climbs towards the old-space limit
// for minutes with a flat live heap (docs/operations.md, "Memory").
import { join } from 'node:path';
import { findRepoRoot } from '@sophia/dev';
import { createChaosScorecard } from './chaos-scorecard.ts';
import { deployment, reportPath, SECRETS, startChaosMesh, type ChaosMesh } from './chaos-mesh.ts';
import { collectAndMeasure, inspectorUrls, type CollectedMemory } from './inspector-memory.ts';
import { growthPerRequest } from './memory-trend.ts';
import { describeStatuses, startSteadyLoad, type LoadCall } from './steady-load.ts';

const REQUESTS = 2000;
/**
 * Readings under test: after each of ROUNDS rounds of REQUESTS / ROUNDS (plus the one before). Many
 * small rounds cost no more requests than few large ones, and the trend's spread under the
 * allocator's noise shrinks with the number of readings (about 0.7 σ of one reading at 21, 1.0 σ at 9).
 */
const ROUNDS = 20;
/** The warm-up: enough for every reusable structure to reach this load's size (a quarter of the test). */
const WARM_UP = REQUESTS / 4;
const PROMPT_BYTES = 100 * 1024;
/**
 * The smallest retention per request the row must catch in what JavaScript holds: 4 % of one prompt.
 * Keeping any copy of a request's prompt (its text, JSON body or proto bytes) retains ≥ 100 KB a
 * request, 25× this floor; set by what the row must detect, before any measurement. A prompt copy is
 * JS-held, and JS-held memory moves ±1 MiB between readings.
 */
const LEAK_FLOOR_BYTES = 4 * 1024;
/**
 * The same for RSS: 8 % of one prompt, 12× below a prompt copy kept outside JavaScript. Twice the
 * JS-held floor, set after measuring (2026-12-05): the process hosting the ledger stores every
 * request's usage (state file, in-process DuckDB warehouse) and its RSS trend over 2,000 requests was
 * +0.2, +3.7 and +5.6 MiB in three multi-process runs (+4.6 single-process) under ±5 MiB moves
 * between readings — too close to 7.8 MiB to judge every CI run by.
 */
const RSS_FLOOR_BYTES = 8 * 1024;
const MIB = 1024 * 1024;
const ALLOWED_MIB = (REQUESTS * LEAK_FLOOR_BYTES) / MIB;
const ALLOWED_RSS_MIB = (REQUESTS * RSS_FLOOR_BYTES) / MIB;
const PROMPT = 'x'.repeat(PROMPT_BYTES);
/** Negative control (not in CI): every process keeps each large JSON text it parses (retain-parsed-json.ts). */
const LEAK = process.env['SOPHIA_CHAOS_LEAK'] === '1';

/**
 * Pause between the end of a round and its reading: the ledger's warehouse sink writes what it was
 * handed at most a batch window (1 s) later, and a reading taken mid-write counts that write's buffers.
 */
const QUIET_MS = 1500;

async function run(chaos: ChaosMesh, requests: number, prefix: string): Promise<readonly LoadCall[]> {
  const load = startSteadyLoad({ gatewayUrl: chaos.mesh.gatewayUrl, apiKey: SECRETS.apiKey, idPrefix: prefix, clients: 8, content: (n) => `${n} ${PROMPT}` });
  while (load.sent() < requests) await new Promise((r) => setTimeout(r, 50));
  const calls = await load.stop();
  await new Promise((r) => setTimeout(r, QUIET_MS));
  return calls;
}

describe(`chaos: memory under 100 KB prompts (${deployment})`, () => {
  const card = createChaosScorecard('memory', deployment);
  let chaos: ChaosMesh;
  beforeAll(async () => {
    const preload = LEAK ? ` --import=${join(findRepoRoot(), 'apps/chaos-e2e/src/retain-parsed-json.ts')}` : '';
    chaos = await startChaosMesh({ env: { NODE_OPTIONS: `--inspect=127.0.0.1:0${preload}` } });
  }, 120_000);
  afterAll(async () => {
    await chaos?.dispose();
    process.stdout.write(`\n${card.render()}\n`);
    card.save(reportPath('memory'));
  }, 60_000);

  it(`${REQUESTS} requests with 100 KB prompts leave every RSS where it was`, async () => {
    const units = chaos.mesh.processes().filter((p) => p.name === 'mesh' || (!p.name.startsWith('sim') && p.name !== 'lambda-cloud-sim' && p.name !== 'mcp'));
    const urls = inspectorUrls(chaos.logs);
    const measure = (): Promise<CollectedMemory[]> =>
      Promise.all(
        units.map((u) => {
          const url = urls.get(u.name);
          if (url === undefined) throw new Error(`${u.name} printed no inspector URL`);
          return collectAndMeasure(url, u.pid);
        }),
      );
    const all: LoadCall[] = [...(await run(chaos, WARM_UP, 'warm'))];
    const readings: Array<{ requests: number; memory: CollectedMemory[] }> = [{ requests: 0, memory: await measure() }];
    for (let round = 1; round <= ROUNDS; round++) {
      all.push(...(await run(chaos, REQUESTS / ROUNDS, `memory-${round}`)));
      readings.push({ requests: all.length - WARM_UP, memory: await measure() });
    }
    const held = (m: CollectedMemory): number => m.heapUsedMiB + m.externalMiB;
    const trend = (i: number, of: (m: CollectedMemory) => number): number => growthPerRequest(readings.map((r) => ({ requests: r.requests, mib: of(r.memory[i]!) }))) * REQUESTS;
    const growth = units.map((u, i) => ({
      name: u.name,
      rss: readings.map((r) => Math.round(r.memory[i]!.rssMiB)),
      held: readings.map((r) => Math.round(held(r.memory[i]!))),
      rssGrowth: trend(i, (m) => m.rssMiB),
      heldGrowth: trend(i, held),
    }));
    const row = card.add({
      scenario: `${REQUESTS.toLocaleString('en')} × 100 KB prompts${LEAK ? ' (negative control: prompts retained)' : ''}`,
      expected: `after a warm-up of ${WARM_UP} requests, read after a full GC before and after each of ${ROUNDS} rounds of ${REQUESTS / ROUNDS}: by their trend over the ${REQUESTS.toLocaleString('en')} (Theil–Sen), every process's JS-held memory (heap + external) grows by at most ${ALLOWED_MIB.toFixed(1)} MiB (${LEAK_FLOOR_BYTES / 1024} KB a request) and its RSS by at most ${ALLOWED_RSS_MIB.toFixed(1)} MiB (${RSS_FLOOR_BYTES / 1024} KB a request); every request 200`,
      got: `${describeStatuses(all)}; ${growth.map((g) => `${g.name} RSS ${g.rss.join('→')} (trend ${g.rssGrowth >= 0 ? '+' : ''}${g.rssGrowth.toFixed(1)}), JS-held ${g.held.join('→')} (trend ${g.heldGrowth >= 0 ? '+' : ''}${g.heldGrowth.toFixed(1)}) MiB`).join('; ')}`,
      pass: all.every((c) => c.status === 200) && growth.every((g) => g.rssGrowth <= ALLOWED_RSS_MIB && g.heldGrowth <= ALLOWED_MIB),
      figures: Object.fromEntries(growth.flatMap((g) => [[`${g.name} rss`, g.rss.join('→')], [`${g.name} rss trend MiB`, g.rssGrowth.toFixed(1)], [`${g.name} held`, g.held.join('→')], [`${g.name} held trend MiB`, g.heldGrowth.toFixed(1)]])),
    });
    expect(row.pass).toBe(true);
  }, 900_000);
});
