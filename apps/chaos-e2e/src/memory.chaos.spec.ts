// #15 item 2, memory: "2,000 requests with 100 KB prompts leave every RSS where it was". Each mesh
// process (one in single-process, one per service otherwise) is measured at rest after a full garbage
// collection (inspector-memory.ts): once after a warm-up of the same 2,000 requests — the working size
// this load gives it (V8's heap, the allocator's high-water mark, caches, pools) — and once after the
// 2,000 under test. Its RSS, and the memory its JavaScript holds (heap in use plus external buffers),
// must be where they were, within the retention the row is built to catch (LEAK_FLOOR_BYTES a request).
// Without the collection, RSS under load is V8's heap sizing: it climbs towards the old-space limit
// for minutes with a flat live heap (docs/operations.md, "Memory").
import { createChaosScorecard } from './chaos-scorecard.ts';
import { deployment, reportPath, SECRETS, startChaosMesh, type ChaosMesh } from './chaos-mesh.ts';
import { collectAndMeasure, inspectorUrls, type CollectedMemory } from './inspector-memory.ts';
import { describeStatuses, startSteadyLoad, type LoadCall } from './steady-load.ts';

const REQUESTS = 2000;
const PROMPT_BYTES = 100 * 1024;
/**
 * The smallest retention per request the row must catch: 4 % of one prompt. Keeping any copy of a
 * request's prompt (its text, JSON body or proto bytes) retains ≥ 100 KB a request, 25× this floor; the
 * floor is set by what the row must detect, not by a measured run.
 */
const LEAK_FLOOR_BYTES = 4 * 1024;
const ALLOWED_MIB = (REQUESTS * LEAK_FLOOR_BYTES) / (1024 * 1024);
const PROMPT = 'x'.repeat(PROMPT_BYTES);

async function run(chaos: ChaosMesh, requests: number, prefix: string): Promise<readonly LoadCall[]> {
  const load = startSteadyLoad({ gatewayUrl: chaos.mesh.gatewayUrl, apiKey: SECRETS.apiKey, idPrefix: prefix, clients: 8, content: (n) => `${n} ${PROMPT}` });
  while (load.sent() < requests) await new Promise((r) => setTimeout(r, 50));
  return load.stop();
}

/**
 * Opt-in (SOPHIA_CHAOS_MEMORY=1) until the multi-process gateway's RSS is shown to settle: after a
 * full GC its heap and buffers are flat, but its RSS grew +7 MiB of the 7.8 MiB floor in one run (the
 * allocator's high-water mark under 100 KB bodies), too close to put in every CI run.
 */
const describeMemory = process.env['SOPHIA_CHAOS_MEMORY'] === '1' ? describe : describe.skip;

describeMemory(`chaos: memory under 100 KB prompts (${deployment})`, () => {
  const card = createChaosScorecard('memory', deployment);
  let chaos: ChaosMesh;
  beforeAll(async () => {
    chaos = await startChaosMesh({ env: { NODE_OPTIONS: '--inspect=127.0.0.1:0' } });
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
    const warm = await run(chaos, REQUESTS, 'warm');
    const before = await measure();
    const calls = await run(chaos, REQUESTS, 'memory');
    const after = await measure();
    const held = (m: CollectedMemory): number => m.heapUsedMiB + m.externalMiB;
    const growth = units.map((u, i) => ({
      name: u.name,
      rss: [before[i]!.rssMiB, after[i]!.rssMiB].map(Math.round) as [number, number],
      held: [held(before[i]!), held(after[i]!)].map(Math.round) as [number, number],
      rssGrowth: after[i]!.rssMiB - before[i]!.rssMiB,
      heldGrowth: held(after[i]!) - held(before[i]!),
    }));
    const all = [...warm, ...calls];
    const row = card.add({
      scenario: `${REQUESTS.toLocaleString('en')} × 100 KB prompts`,
      expected: `after a full GC, every process's RSS and the memory its JavaScript holds (heap + external) within +${ALLOWED_MIB.toFixed(1)} MiB (${LEAK_FLOOR_BYTES / 1024} KB a request) of their values after a warm-up of the same ${REQUESTS.toLocaleString('en')} requests; every request 200`,
      got: `${describeStatuses(all)}; ${growth.map((g) => `${g.name} RSS ${g.rss[0]}→${g.rss[1]}, JS-held ${g.held[0]}→${g.held[1]} MiB`).join('; ')}`,
      pass: all.every((c) => c.status === 200) && growth.every((g) => g.rssGrowth <= ALLOWED_MIB && g.heldGrowth <= ALLOWED_MIB),
      figures: Object.fromEntries(growth.flatMap((g) => [[`${g.name} rss`, `${g.rss[0]}→${g.rss[1]}`], [`${g.name} held`, `${g.held[0]}→${g.held[1]}`]])),
    });
    expect(row.pass).toBe(true);
  }, 900_000);
});
