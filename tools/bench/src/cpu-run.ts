import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { findRepoRoot, parseDeployment, type Mesh } from '@sophia/dev';
import { median } from './latency-stats.ts';
import { runLoadPhase, type LoadTarget } from './load-phase.ts';
import { processCpuMs } from './process-cpu.ts';

/**
 * `node tools/bench/src/cpu-run.ts [--requests 2000] [--rounds 1] [--concurrency 10] [--stream]
 * [--deployments single-process,multi-process]`: the CPU one request costs in each mesh process.
 * Starts one mesh per deployment (the same request as `npm run bench`; a single-process mesh is one
 * "mesh" row),
 * warms up, then reads every process's user+system CPU time from /proc around each load phase and
 * prints CPU ms per request per process and summed (median over rounds). CPU per request is far less
 * sensitive to a noisy machine than latency or throughput.
 *
 * `--baseline-root DIR` also starts a second mesh, in the first deployment named, from another checkout of the repository (e.g. a
 * `git archive` of the previous commit with its own node_modules/@sophia links) and alternates the
 * load phases between the two, so both see the same machine; the baseline mesh is idle while the
 * other is measured. `--node-options` passes NODE_OPTIONS to every mesh process (e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof` for profiles, written when the mesh stops); `--env KEY=VALUE`
 * (repeatable) adds configuration to every mesh process; `--variant LABEL:KEY=VALUE;KEY=VALUE`
 * (repeatable) adds a mesh of this checkout with extra configuration (e.g. tracing on) to the same run.
 */
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '10' },
    'output-tokens': { type: 'string', default: '16' },
    stream: { type: 'boolean', default: false },
    'baseline-root': { type: 'string' },
    deployments: { type: 'string', default: 'single-process,multi-process' },
    'node-options': { type: 'string', default: '' },
    env: { type: 'string', multiple: true, default: [] },
    variant: { type: 'string', multiple: true, default: [] },
  },
});
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);

const env = {
  PATH: process.env['PATH'],
  HOME: process.env['HOME'],
  SOPHIA_LOG_LEVEL: 'error',
  SOPHIA_API_KEYS: 'bench-key:bench',
  ...(values['node-options'] ? { NODE_OPTIONS: values['node-options'] } : {}),
  ...Object.fromEntries(values.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
};
// Each mesh's ledger gets its own DuckDB file (one writing process per file), thrown away at the end.
const scratch = mkdtempSync(join(tmpdir(), 'cpu-run-'));
/** The OS processes of a mesh by name; a mesh from before the hosting model has one per service. */
type Processes = Array<{ name: string; pid: number }>;
const processesOf = (mesh: Mesh): Processes =>
  typeof (mesh as Partial<Mesh>).processes === 'function'
    ? mesh.processes().map((c) => ({ name: c.name, pid: c.pid }))
    : Object.values(mesh.services).map((s) => ({ name: s.name, pid: s.pid }));
// Each checkout is started by its own tools/dev (the baseline's knows its own layout), each mesh with
// its own data directory and DuckDB file (one owner per directory), thrown away at the end.
const start = async (root: string, label: string, deployment: string | undefined, extraEnv: Record<string, string> = {}): Promise<Mesh> => {
  const dev = (await import(pathToFileURL(join(root, 'tools/dev/src/index.ts')).href)) as { startMesh: (o: Record<string, unknown>) => Promise<Mesh> };
  const dataDir = join(scratch, label);
  mkdirSync(dataDir);
  return dev.startMesh({
    env: { SOPHIA_WAREHOUSE_PATH: join(dataDir, 'warehouse.duckdb'), SOPHIA_DATA_DIR: dataDir, ...env, ...extraEnv },
    root,
    ...(deployment ? { deployment } : {}),
    gatewayPort: 0,
    gpuSimulators: 1,
    simulatorArgs: { serverless: ['--default-output-tokens', String(values['output-tokens'])] },
  });
};

interface Subject {
  readonly label: string;
  readonly mesh: Mesh;
  readonly target: LoadTarget;
  readonly samples: Array<{ perService: Record<string, number>; p50: number; rps: number; errors: number }>;
}
const subjects: Subject[] = [];
try {
  const deployments = String(values.deployments)
    .split(',')
    .map((d) => parseDeployment(d.trim()));
  const roots: Array<[string, string, string | undefined, Record<string, string>]> = deployments.map((d) => [d === 'single-process' ? 'single' : 'multi', findRepoRoot(), d, {}]);
  // The baseline runs in the first deployment named (a checkout from before the hosting model ignores it).
  if (values['baseline-root']) roots.unshift(['baseline', values['baseline-root'], deployments[0], {}]);
  // `--variant LABEL:KEY=VALUE;KEY=VALUE`: one more mesh of this checkout (first deployment) with extra configuration.
  for (const v of values.variant) {
    const [label, spec = ''] = [v.slice(0, v.indexOf(':')), v.slice(v.indexOf(':') + 1)];
    roots.push([label, findRepoRoot(), deployments[0], Object.fromEntries(spec.split(';').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))]);
  }
  for (const [label, root, deployment, extraEnv] of roots) {
    const mesh = await start(root, label, deployment, extraEnv);
    subjects.push({
      label,
      mesh,
      samples: [],
      target: {
        origin: mesh.gatewayUrl,
        path: '/v1/chat/completions',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${mesh.apiKey}` },
        body: JSON.stringify({ model: 'auto', stream: values.stream, messages: [{ role: 'user', content: 'Say hello in one short sentence.' }], max_tokens: 64 }),
      },
    });
  }
  for (const s of subjects) await runLoadPhase(s.target, { concurrency: 10, requests: 500 });
  for (let r = 0; r < rounds; r++) {
    for (const s of subjects) {
      const procs = processesOf(s.mesh);
      const names = procs.map((p) => p.name);
      const cpuNow = (): number[] => procs.map((p) => processCpuMs(p.pid) ?? Number.NaN);
      const before = cpuNow();
      const stats = await runLoadPhase(s.target, { concurrency, requests });
      const after = cpuNow();
      s.samples.push({
        perService: Object.fromEntries(names.map((n, i) => [n, (after[i]! - before[i]!) / stats.count])),
        p50: stats.p50Ms,
        rps: stats.rps,
        errors: stats.errors,
      });
    }
  }
} finally {
  for (const s of subjects) await s.mesh.stop();
  rmSync(scratch, { recursive: true, force: true });
}

// Rows: every process name any subject had (a single-process mesh has one "mesh" row).
const names = [...new Set(subjects.flatMap((s) => s.samples.flatMap((x) => Object.keys(x.perService))))];
const cell = (s: Subject, n: string): number => median(s.samples.map((x) => x.perService[n] ?? Number.NaN));
const fmt = (n: number, d = 3): string => n.toFixed(d).padStart(10);
const lines = [
  `${requests} requests × ${rounds} round(s) per mesh at concurrency ${concurrency}${values.stream ? ', streamed' : ''}; CPU ms per request, medians over rounds`,
  `${''.padEnd(22)}${subjects.map((s) => s.label.padStart(10)).join('')}`,
  ...names.map((n) => `${n.padEnd(22)}${subjects.map((s) => (Number.isNaN(cell(s, n)) ? '-'.padStart(10) : fmt(cell(s, n)))).join('')}`),
  `${'mesh (no simulators)'.padEnd(22)}${subjects
    .map((s) => fmt(median(s.samples.map((x) => Object.entries(x.perService).reduce((sum, [n, v]) => (n.startsWith('sim') || n.startsWith('lambda') ? sum : sum + v), 0)))))
    .join('')}`,
  `${'p50 ms'.padEnd(22)}${subjects.map((s) => fmt(median(s.samples.map((x) => x.p50)), 2)).join('')}`,
  `${'rps'.padEnd(22)}${subjects.map((s) => fmt(median(s.samples.map((x) => x.rps)), 1)).join('')}`,
  `${'errors'.padEnd(22)}${subjects.map((s) => fmt(s.samples.reduce((sum, x) => sum + x.errors, 0), 0)).join('')}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
