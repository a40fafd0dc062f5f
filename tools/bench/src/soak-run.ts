import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findRepoRoot, parseDeployment, startMesh } from '@sophia/dev';
import { runLoadPhase, type LoadTarget } from './load-phase.ts';
import { usedHeapMiB } from './heap-sampler.ts';
import { residentMiB, slope } from './rss-sampler.ts';
import { stateFileBytes, stateTableBytes, type TableBytes } from './state-file-sampler.ts';

/**
 * `node tools/bench/src/soak-run.ts [--minutes 10] [--concurrency 10] [--deployment single-process]`: the whole mesh under steady
 * load (Arena-Hard-like varied prompts are not needed for memory; the same short chat request, streamed
 * and not, alternating) for the given time, sampling every mesh process's RSS from /proc (one "mesh"
 * process in single-process mode). Prints start,
 * peak and end RSS per service and the growth rate over the second half (a leak shows as a steady
 * slope once caches and JIT have warmed up) and the embedded state file's size (sophia.db and its WAL:
 * growth per minute and per request, the largest tables at the end) and each process's used JS heap
 * from its own /metrics (the lowest over the second half ≈ its live heap, what an old-space limit must
 * leave room for); saves JSON to reports/soak.json.
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '10' },
    'sample-seconds': { type: 'string', default: '15' },
    /** NODE_OPTIONS for every mesh process, e.g. V8 heap limits to compare memory settings. */
    'node-options': { type: 'string', default: '' },
    out: { type: 'string', default: 'reports/soak.json' },
    deployment: { type: 'string', default: 'single-process' },
    /** Extra mesh configuration, KEY=VALUE, repeatable (e.g. --env SOPHIA_USAGE_RAW_HOURS=0.05 to see compaction within a soak). */
    env: { type: 'string', multiple: true, default: [] },
  },
});
const extraEnv = Object.fromEntries(
  (values.env ?? []).map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--env ${pair}: expected KEY=VALUE`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  }),
);
const durationMs = Number(values.minutes) * 60_000;
const concurrency = Number(values.concurrency);
const sampleMs = Number(values['sample-seconds']) * 1000;
const root = findRepoRoot();

// Its own data directory (one owner per directory), removed at the end.
const dataDir = mkdtempSync(join(tmpdir(), 'soak-'));
const mesh = await startMesh({
  deployment: parseDeployment(values.deployment),
  env: {
    SOPHIA_DATA_DIR: dataDir,
    SOPHIA_WAREHOUSE_PATH: join(dataDir, 'warehouse.duckdb'),
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    SOPHIA_LOG_LEVEL: 'error',
    SOPHIA_API_KEYS: 'soak-key:soak',
    ...(values['node-options'] ? { NODE_OPTIONS: values['node-options'] } : {}),
    ...extraEnv,
  },
  gatewayPort: 0,
  gpuSimulators: 1,
  simulatorArgs: { serverless: ['--default-output-tokens', '32'] },
});
const target = (stream: boolean): LoadTarget => ({
  origin: mesh.gatewayUrl,
  path: '/v1/chat/completions',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${mesh.apiKey}` },
  body: JSON.stringify({ model: 'auto', stream, messages: [{ role: 'user', content: 'Explain what a circuit breaker does, briefly.' }], max_tokens: 64 }),
});

const procs = mesh.processes().filter((c) => !c.name.startsWith('sim') && !c.name.startsWith('lambda'));
const names = procs.map((c) => c.name);
// One metrics URL per process (in single-process mode every service reports the same heap).
const metricsOf = new Map<string, string>();
for (const name of names) {
  const pid = procs.find((c) => c.name === name)!.pid;
  const hosted = Object.values(mesh.services).find((s) => s.pid === pid && typeof s.ready['metrics'] === 'string');
  if (hosted) metricsOf.set(name, String(hosted.ready['metrics']));
}
const samples: Array<{ t: number; rss: Record<string, number>; heap: Record<string, number>; stateMiB: { db: number; wal: number } }> = [];
const toMiB = (bytes: number): number => Math.round((bytes / 1_048_576) * 100) / 100;
const sample = async (t: number): Promise<void> => {
  const rss: Record<string, number> = {};
  const heap: Record<string, number> = {};
  for (const name of names) {
    const mib = residentMiB(procs.find((c) => c.name === name)!.pid);
    if (mib !== undefined) rss[name] = Math.round(mib * 10) / 10;
    const url = metricsOf.get(name);
    const used = url === undefined ? undefined : await usedHeapMiB(url);
    if (used !== undefined) heap[name] = Math.round(used * 10) / 10;
  }
  const state = stateFileBytes(dataDir);
  samples.push({ t, rss, heap, stateMiB: { db: toMiB(state.db), wal: toMiB(state.wal) } });
};

let requests = 0;
let errors = 0;
let tables: TableBytes[] = [];
let closedDbBytes = 0;
const started = Date.now();
try {
  await sample(0);
  const timer = setInterval(() => void sample((Date.now() - started) / 60_000), sampleMs);
  try {
    for (let round = 0; Date.now() - started < durationMs; round++) {
      const stats = await runLoadPhase(target(round % 2 === 1), { concurrency, requests: 200 });
      requests += stats.count + stats.errors;
      errors += stats.errors;
    }
  } finally {
    clearInterval(timer);
  }
  await sample((Date.now() - started) / 60_000);
} finally {
  await mesh.stop();
  try {
    // Closed: the WAL is checkpointed into the file, so its size is what the run left on disk.
    closedDbBytes = stateFileBytes(dataDir).db;
    tables = stateTableBytes(dataDir);
  } catch (error) {
    process.stderr.write(`soak: could not size the state file's tables: ${(error as Error).message}\n`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const minutes = (Date.now() - started) / 60_000;
const lines = [`soak: ${minutes.toFixed(1)} min, concurrency ${concurrency}, ${requests} requests, ${errors} errors${values['node-options'] ? `, NODE_OPTIONS=${values['node-options']}` : ''}${Object.keys(extraEnv).length > 0 ? `, ${Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}; RSS in MiB (first sample after start-up, peak, last; growth over the second half)`];
lines.push('service                 start    peak     end   MiB/min (2nd half)   heap: live (min, 2nd half)  peak used');
const summary = names.map((name) => {
  const series = samples.flatMap((s) => (s.rss[name] === undefined ? [] : [{ x: s.t, y: s.rss[name]! }]));
  const secondHalf = series.filter((p) => p.x >= minutes / 2);
  const heaps = samples.flatMap((s) => (s.heap[name] === undefined ? [] : [{ x: s.t, y: s.heap[name]! }]));
  const liveHeap = heaps.filter((p) => p.x >= minutes / 2).map((p) => p.y);
  const row = {
    service: name,
    start: series[0]?.y ?? 0,
    peak: Math.max(...series.map((p) => p.y)),
    end: series.at(-1)?.y ?? 0,
    growthMiBPerMin: slope(secondHalf),
    liveHeapMiB: liveHeap.length ? Math.min(...liveHeap) : undefined,
    peakHeapMiB: heaps.length ? Math.max(...heaps.map((p) => p.y)) : undefined,
  };
  lines.push(
    `${name.padEnd(22)}${row.start.toFixed(0).padStart(7)}${row.peak.toFixed(0).padStart(8)}${row.end.toFixed(0).padStart(8)}${row.growthMiBPerMin.toFixed(2).padStart(10)}` +
      `${(row.liveHeapMiB?.toFixed(0) ?? '-').padStart(32)}${(row.peakHeapMiB?.toFixed(0) ?? '-').padStart(11)}`,
  );
  return row;
});
// Every mesh process together (what a single-process mesh's target is about): the sum at each sample.
const totals = samples.flatMap((s) => (names.every((n) => s.rss[n] !== undefined) ? [{ x: s.t, y: names.reduce((sum, n) => sum + s.rss[n]!, 0) }] : []));
const total = {
  start: totals[0]?.y ?? 0,
  peak: Math.max(...totals.map((p) => p.y)),
  end: totals.at(-1)?.y ?? 0,
  growthMiBPerMin: slope(totals.filter((p) => p.x >= minutes / 2)),
};
if (names.length > 1) lines.push(`${'all mesh processes'.padEnd(22)}${total.start.toFixed(0).padStart(7)}${total.peak.toFixed(0).padStart(8)}${total.end.toFixed(0).padStart(8)}${total.growthMiBPerMin.toFixed(2).padStart(10)}`);
// Disk: the state file (+ WAL) over the run; the ledger's raw events stay until SOPHIA_USAGE_RAW_HOURS compacts them.
const fileSeries = samples.map((s) => ({ x: s.t, y: s.stateMiB.db + s.stateMiB.wal }));
const state = {
  startMiB: fileSeries[0]?.y ?? 0,
  endMiB: fileSeries.at(-1)?.y ?? 0,
  peakWalMiB: Math.max(...samples.map((s) => s.stateMiB.wal)),
  growthMiBPerMin: slope(fileSeries.filter((p) => p.x >= minutes / 2)),
  closedMiB: toMiB(closedDbBytes),
  bytesPerRequest: requests === 0 ? 0 : Math.round((closedDbBytes - (samples[0]?.stateMiB.db ?? 0) * 1_048_576) / requests),
  largestTables: tables.slice(0, 6).map((t) => ({ name: t.name, mib: toMiB(t.bytes) })),
};
lines.push(
  `state file (sophia.db + WAL): ${state.startMiB.toFixed(1)} → ${state.endMiB.toFixed(1)} MiB, ${state.growthMiBPerMin.toFixed(2)} MiB/min over the 2nd half, ` +
    `${state.closedMiB.toFixed(1)} MiB once closed (${state.bytesPerRequest} bytes per request), WAL peak ${state.peakWalMiB.toFixed(1)} MiB; largest: ${state.largestTables.map((t) => `${t.name} ${t.mib} MiB`).join(', ')}`,
);
process.stdout.write(`${lines.join('\n')}\n`);
const out = resolve(root, String(values.out));
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, JSON.stringify({ when: new Date().toISOString(), minutes, concurrency, nodeOptions: values['node-options'], env: extraEnv, requests, errors, summary, total, state, samples }, null, 2));
process.stdout.write(`saved ${out}\n`);
