import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { findRepoRoot, startMesh, type Mesh } from '@sophia/dev';
import { createUpstreamSimulator, type UpstreamSimulator, type UpstreamSimulatorOptions } from '@sophia/upstream-sim';
import { percentile } from './latency-stats.ts';
import { processCpuMs } from './process-cpu.ts';

/**
 * `npm run -s bench:providers`: the numbers of issue #21 in one run, on real processes.
 * 1. Two simulated providers (deepinfra: the cheaper offer; fireworks) behind the mesh; a steady
 *    streaming load: the share of answers from the cheaper one while it is healthy.
 * 2. Then, for each fault of the cheaper one — refusing connections (its listener closed), answering
 *    500, silent — the client errors, the time until the other provider answers, answers from GPU,
 *    and the time until traffic is back on the cheaper one after recovery.
 * 3. A burst of N concurrent ~5 s streams, directly against the simulator and through the mesh:
 *    wall time and time-to-first-token percentiles of both.
 * 4. The serverless-inference process's CPU per request, with one provider configured vs two.
 * Prints a summary and writes reports/providers.json. Ratios within this run, not absolute figures.
 * `--burst-only --bursts 3` runs only step 3, three times (each row and the medians);
 * `--cpu-prof-dir DIR` writes the mesh processes' V8 CPU profiles there (where a burst's time goes);
 * `--mesh-node-options=--max-old-space-size=1024` runs the mesh with other V8 flags (a limit there wins over npm start's).
 */
const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '16' },
    'phase-ms': { type: 'string', default: '4000' },
    burst: { type: 'string', default: '1000' },
    'burst-tokens': { type: 'string', default: '100' },
    'inter-token-ms': { type: 'string', default: '50' },
    'burst-only': { type: 'boolean', default: false },
    bursts: { type: 'string', default: '1' },
    'cpu-prof-dir': { type: 'string' },
    'mesh-node-options': { type: 'string' },
  },
});
const BURST_ONLY = values['burst-only'];
const BURSTS = Number(values.bursts);
const CPU_PROF_DIR = values['cpu-prof-dir'];
/** NODE_OPTIONS of the mesh's processes (e.g. a heap limit to compare); `--cpu-prof-dir` adds the profiler's. */
const MESH_NODE_OPTIONS = [values['mesh-node-options'] ?? '', CPU_PROF_DIR === undefined ? '' : `--cpu-prof --cpu-prof-dir=${CPU_PROF_DIR}`].join(' ').trim();
const WORKERS = Number(values.workers);
const PHASE_MS = Number(values['phase-ms']);
const BURST = Number(values.burst);
const BURST_TOKENS = Number(values['burst-tokens']);
const INTER_TOKEN_MS = Number(values['inter-token-ms']);
const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const KEY = 'bench-key';
/** `SOPHIA_*` variables of this process go to every mesh it starts (e.g. SOPHIA_DATA_SYNC=normal to see what fsync costs). */
const passThrough = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('SOPHIA_')));
const agent = new Agent({ connections: BURST + 64, keepAliveTimeout: 30_000 });

/** One streamed request as the client saw it. */
interface Outcome {
  readonly startedAt: number;
  readonly headersAt: number;
  readonly firstTokenAt: number;
  readonly endedAt: number;
  readonly ok: boolean;
  readonly status: number;
  readonly provider: string;
  readonly backend: string;
  /** A stream that did not complete: the start of its error (the SSE error event, or the thrown error). */
  readonly error?: string;
}

/** Streams one chat completion and reads it to the end, noting TTFT, the provider and whether it completed. */
async function stream(url: string, body: object, headers: Record<string, string> = {}): Promise<Outcome> {
  const startedAt = performance.now();
  let headersAt = startedAt;
  let firstTokenAt = Number.NaN;
  try {
    const res = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers },
      body: JSON.stringify({ ...body, stream: true }),
    });
    headersAt = performance.now();
    const provider = String(res.headers['x-sophia-provider'] ?? '');
    const backend = String(res.headers['x-sophia-backend'] ?? '');
    let text = '';
    for await (const chunk of res.body) {
      if (Number.isNaN(firstTokenAt) && String(chunk).includes('"content":"') && !String(chunk).includes('"content":""')) firstTokenAt = performance.now();
      text += String(chunk);
    }
    const ok = res.statusCode === 200 && text.includes('data: [DONE]') && !text.includes('"error"');
    const error = ok ? undefined : (/"message":"([^"]{0,80})/.exec(text)?.[1] ?? 'no [DONE]');
    return { startedAt, headersAt, firstTokenAt: Number.isNaN(firstTokenAt) ? headersAt : firstTokenAt, endedAt: performance.now(), ok, status: res.statusCode, provider, backend, ...(error === undefined ? {} : { error }) };
  } catch (err) {
    const now = performance.now();
    return { startedAt, headersAt: now, firstTokenAt: now, endedAt: now, ok: false, status: 0, provider: '', backend: '', error: String((err as Error).message ?? err).slice(0, 80) };
  }
}

/** A steady load: `WORKERS` loops of short streaming chats until stopped. */
function steadyLoad(mesh: Mesh): { stop: () => Promise<Outcome[]> } {
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = Array.from({ length: WORKERS }, async () => {
    while (running) outcomes.push(await stream(`${mesh.gatewayUrl}/v1/chat/completions`, { model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'Say hello.' }] }));
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const progress = (line: string): void => void process.stderr.write(`provider-run: ${line}\n`);

/** CPU ms used so far by the processes of `pids` (each counted once: single-process hosts every service in one). */
const cpuOf = (pids: readonly number[]): number => [...new Set(pids)].reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0);
/** The services a chat request passes through (their processes' CPU is the mesh's cost of a burst). */
const REQUEST_PATH = ['gateway', 'router', 'classifier', 'ledger', 'serverless-inference'];

/**
 * N concurrent ~5 s streams against `url`: completion count, wall time, TTFT percentiles, providers seen,
 * and — for a mesh, given its process ids — the mesh's CPU per stream (where the burst's time goes).
 */
async function burst(url: string, meshPids: readonly number[] = []) {
  const cpuBefore = cpuOf(meshPids);
  const start = performance.now();
  const outs = await Promise.all(
    Array.from({ length: BURST }, (_, i) =>
      stream(url, { model: MODEL, max_tokens: BURST_TOKENS, messages: [{ role: 'user', content: `burst ${i} [[sim:tokens=${BURST_TOKENS}]] [[sim:inter-token-ms=${INTER_TOKEN_MS}]]` }] }),
    ),
  );
  const wall = performance.now() - start;
  const ttft = outs.map((o) => o.firstTokenAt - o.startedAt).sort((a, b) => a - b);
  const providers: Record<string, number> = {};
  for (const o of outs) providers[o.provider || o.backend || 'direct'] = (providers[o.provider || o.backend || 'direct'] ?? 0) + 1;
  // Streams that did not complete, by HTTP status (0: no answer at all) and what their body said first.
  const failed: Record<string, number> = {};
  for (const o of outs) {
    if (o.ok) continue;
    const key = `${o.status}${o.error ? ` ${o.error}` : ''}`;
    failed[key] = (failed[key] ?? 0) + 1;
  }
  const cpu = meshPids.length > 0 ? { meshCpuMsPerStream: round((cpuOf(meshPids) - cpuBefore) / BURST, 2), meshCpuShareOfWall: round((cpuOf(meshPids) - cpuBefore) / wall, 2) } : {};
  return { completed: outs.filter((o) => o.ok).length, ...(Object.keys(failed).length > 0 ? { failed } : {}), wallMs: round(wall), ttftP50Ms: round(percentile(ttft, 0.5)), ttftP99Ms: round(percentile(ttft, 0.99)), providers, ...cpu };
}
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

/** A mesh of real processes for the benchmark, on its own data directory, with `serverless` as its serverless configuration. */
function benchMesh(dir: string, serverless: Record<string, string>): Promise<Mesh> {
  return startMesh({
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      SOPHIA_LOG_LEVEL: 'error',
      ...passThrough,
      ...(MESH_NODE_OPTIONS === '' ? {} : { NODE_OPTIONS: MESH_NODE_OPTIONS }),
      SOPHIA_API_KEYS: `${KEY}:acme`,
      SOPHIA_DATA_DIR: dir,
      ...serverless,
    },
    gatewayPort: 0,
  });
}

/** Warms `mesh` up, then runs the steady load for one phase: its outcomes and the serverless process's CPU ms per request. */
async function measuredPhase(mesh: Mesh): Promise<{ outcomes: Outcome[]; cpuMsPerRequest: number }> {
  await Promise.all(Array.from({ length: WORKERS }, () => stream(`${mesh.gatewayUrl}/v1/chat/completions`, { model: MODEL, max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] })));
  const pid = mesh.services['serverless-inference']!.pid;
  const before = processCpuMs(pid) ?? 0;
  const load = steadyLoad(mesh);
  await sleep(PHASE_MS);
  const outcomes = await load.stop();
  return { outcomes, cpuMsPerRequest: ((processCpuMs(pid) ?? 0) - before) / outcomes.length };
}

const root = findRepoRoot();
const dataDir = mkdtempSync(join(tmpdir(), 'sophia-provider-bench-'));
const simOptions = (port: number): UpstreamSimulatorOptions => ({ persona: 'serverless', port, ttftMs: 20, interTokenMs: 2, defaultOutputTokens: 16 });
let cheap: UpstreamSimulator = await createUpstreamSimulator(simOptions(0));
const pricey = await createUpstreamSimulator(simOptions(0));
const fixedCheapPort = cheap.port;
const report: Record<string, unknown> = {};
const mesh = await benchMesh(dataDir, { SOPHIA_SERVERLESS_PROVIDERS: `deepinfra=${cheap.url}/v1,fireworks=${pricey.url}/v1` });
try {
  if (BURST_ONLY) {
    const rows: Array<{ direct: Awaited<ReturnType<typeof burst>>; mesh: Awaited<ReturnType<typeof burst>>; wallRatio: number; ttftP99DeltaMs: number }> = [];
    for (let i = 0; i < BURSTS; i++) {
      const direct = await burst(`${cheap.url}/v1/chat/completions`);
      const viaMesh = await burst(`${mesh.gatewayUrl}/v1/chat/completions`, REQUEST_PATH.flatMap((name) => mesh.services[name]?.pid ?? []));
      rows.push({ direct, mesh: viaMesh, wallRatio: round(viaMesh.wallMs / direct.wallMs, 2), ttftP99DeltaMs: round(viaMesh.ttftP99Ms - direct.ttftP99Ms) });
      progress(`burst ${i + 1}/${BURSTS}: ${JSON.stringify(rows.at(-1))}`);
    }
    const median = (xs: number[]): number => round(percentile([...xs].sort((a, b) => a - b), 0.5), 2);
    report['bursts'] = {
      streams: BURST,
      rows,
      median: {
        wallRatio: median(rows.map((r) => r.wallRatio)),
        ttftP99DeltaMs: median(rows.map((r) => r.ttftP99DeltaMs)),
        meshCpuMsPerStream: median(rows.map((r) => r.mesh.meshCpuMsPerStream ?? Number.NaN)),
        completed: median(rows.map((r) => r.mesh.completed)),
      },
    };
  }
  // 1. Healthy: share of the cheaper provider, and the serverless process's CPU per request.
  if (!BURST_ONLY) {
  const { outcomes: healthy, cpuMsPerRequest: cpuPerRequestTwo } = await measuredPhase(mesh);
  const cheapShare = healthy.filter((o) => o.ok && o.provider === 'deepinfra').length / healthy.length;
  report['healthy'] = { requests: healthy.length, errors: healthy.filter((o) => !o.ok).length, cheaperShare: round(cheapShare * 100, 2), gpu: healthy.filter((o) => o.backend === 'gpu').length, serverlessCpuMsPerRequest: round(cpuPerRequestTwo, 3) };

  // 2. Faults of the cheaper provider.
  const faults: Array<{ name: string; inject: () => Promise<void>; clear: () => Promise<void> }> = [
    {
      name: 'refuses connections',
      inject: async () => {
        await cheap.close();
      },
      clear: async () => {
        cheap = await createUpstreamSimulator(simOptions(fixedCheapPort));
      },
    },
    { name: 'answers 500', inject: async () => cheap.setFault({ kind: 'status', code: 500 }), clear: async () => cheap.setFault(undefined) },
    { name: 'goes silent', inject: async () => cheap.setFault({ kind: 'silent' }), clear: async () => cheap.setFault(undefined) },
  ];
  const faultRows: Array<Record<string, unknown>> = [];
  for (const fault of faults) {
    progress(`fault: the cheaper provider ${fault.name}`);
    const load = steadyLoad(mesh);
    await sleep(1000);
    const t0 = performance.now();
    await fault.inject();
    await sleep(PHASE_MS);
    const t1 = performance.now();
    await fault.clear();
    await sleep(PHASE_MS);
    const all = await load.stop();
    const during = all.filter((o) => o.startedAt >= t0 && o.startedAt < t1);
    // Requests already streaming from the cheaper provider when it failed may break (the issue allows it).
    const inFlightAtFault = all.filter((o) => o.startedAt < t0 && o.endedAt >= t0);
    const firstOther = all.filter((o) => o.ok && o.provider === 'fireworks' && o.headersAt >= t0).sort((a, b) => a.headersAt - b.headersAt)[0];
    const back = all.filter((o) => o.ok && o.provider === 'deepinfra' && o.startedAt >= t1).sort((a, b) => a.headersAt - b.headersAt)[0];
    faultRows.push({
      fault: fault.name,
      requestsDuringFault: during.length,
      clientErrorsStartedDuringFault: during.filter((o) => !o.ok).length,
      errorsAmongInFlightAtFault: inFlightAtFault.filter((o) => !o.ok).length,
      otherProviderAnsweringAfterMs: firstOther ? round(firstOther.headersAt - t0) : null,
      gpuAnswersDuringFault: during.filter((o) => o.backend === 'gpu').length,
      trafficBackOnCheaperAfterMs: back ? round(back.headersAt - t1) : null,
      // The second half of the recovery phase: after the breaker's half-open probe (2 s by default).
      cheaperShareAfterRecovery: round((all.filter((o) => o.startedAt >= t1 + PHASE_MS / 2 && o.provider === 'deepinfra').length / Math.max(1, all.filter((o) => o.startedAt >= t1 + PHASE_MS / 2).length)) * 100, 1),
    });
  }
  report['faults'] = faultRows;

  // 3. The burst: N concurrent ~5 s streams (the simulator's per-request markers make the answers
  // ~5 s long), directly against the cheaper simulator and through the mesh.
  await sleep(2500); // let the breaker's half-open probe find the restarted simulator
  progress('burst: direct');
  const direct = await burst(`${cheap.url}/v1/chat/completions`);
  progress(`burst: direct ${JSON.stringify(direct)}; through the mesh (two providers)`);
  const viaMesh = await burst(`${mesh.gatewayUrl}/v1/chat/completions`, REQUEST_PATH.flatMap((name) => mesh.services[name]?.pid ?? []));
  progress(`burst: mesh ${JSON.stringify(viaMesh)}`);
  report['burst'] = { streams: BURST, direct, mesh: viaMesh, wallRatio: round(viaMesh.wallMs / direct.wallMs, 2), ttftP99DeltaMs: round(viaMesh.ttftP99Ms - direct.ttftP99Ms) };
  }
} finally {
  await mesh.stop();
  await Promise.all([cheap.close().catch(() => undefined), pricey.close()]);
  rmSync(dataDir, { recursive: true, force: true });
}

// 4. Routing CPU: the same healthy load against a mesh with one provider (no ranking, no failover).
if (!BURST_ONLY) {
  const dir = mkdtempSync(join(tmpdir(), 'sophia-provider-bench-'));
  const one = await createUpstreamSimulator(simOptions(0));
  const m = await benchMesh(dir, { SOPHIA_SERVERLESS_BASE_URL: `${one.url}/v1` });
  try {
    const { cpuMsPerRequest: perRequestOne } = await measuredPhase(m);
    progress('burst: through a one-provider mesh');
    report['burstOneProvider'] = await burst(`${m.gatewayUrl}/v1/chat/completions`);
    const healthy = report['healthy'] as { serverlessCpuMsPerRequest: number };
    report['routingCpu'] = { serverlessCpuMsPerRequestOneProvider: round(perRequestOne, 3), serverlessCpuMsPerRequestTwoProviders: healthy.serverlessCpuMsPerRequest, addedMsPerRequest: round(healthy.serverlessCpuMsPerRequest - perRequestOne, 3) };
  } finally {
    await m.stop();
    await one.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
await agent.close();

process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
mkdirSync(join(root, 'reports'), { recursive: true });
writeFileSync(join(root, 'reports/providers.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`saved ${join(root, 'reports/providers.json')}\n`);
