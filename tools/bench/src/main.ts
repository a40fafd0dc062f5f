import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findRepoRoot, parseDeployment, startMesh, type Deployment, type Mesh } from '@sophia/dev';
import { median, type LatencyStats } from './latency-stats.ts';
import { runLoadPhase, type LoadTarget } from './load-phase.ts';
import { PORTKEY_VERSION, startPortkeyPeer, type PortkeyPeer } from './portkey-peer.ts';

/**
 * `npm run bench`: the mesh overhead in one process tree and one run. The same request goes
 * straight to the (simulated) serverless upstream, through the peer gateway Portkey (npm
 * @portkey-ai/gateway, installed on first use; `--no-peer` skips it) and through gateway → router →
 * classifier → ledger → serverless-inference → upstream — once per deployment (`--deployments`,
 * default both: `sophia` = single-process, `sophia-multi` = multi-process, each mesh with its own
 * simulator and data directory) — round-robin at each concurrency so machine noise hits all alike.
 * Prints p50/p99 and RPS per path, the added latency and our throughput relative to the peer per
 * deployment; saves JSON.
 */
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '600' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '10,50' },
    'output-tokens': { type: 'string', default: '16' },
    'no-peer': { type: 'boolean', default: false },
    deployments: { type: 'string', default: 'single-process,multi-process' },
    out: { type: 'string', default: 'reports/bench.json' },
  },
});
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const levels = String(values.concurrency).split(',').map(Number);
const root = findRepoRoot();

const deployments = String(values.deployments).split(',').map((d) => parseDeployment(d.trim()));
const labelOf = (d: Deployment): string => (d === 'single-process' ? 'sophia' : 'sophia-multi');
const scratch = mkdtempSync(join(tmpdir(), 'bench-'));
const meshes: Array<{ deployment: Deployment; mesh: Mesh }> = [];
for (const deployment of deployments) {
  const dataDir = join(scratch, deployment);
  mkdirSync(dataDir);
  meshes.push({
    deployment,
    mesh: await startMesh({
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], SOPHIA_LOG_LEVEL: 'error', SOPHIA_API_KEYS: 'bench-key:bench', SOPHIA_DATA_DIR: dataDir, SOPHIA_WAREHOUSE_PATH: join(dataDir, 'warehouse.duckdb') },
      deployment,
      gatewayPort: 0,
      gpuSimulators: 1,
      simulatorArgs: { serverless: ['--default-output-tokens', String(values['output-tokens'])] },
    }),
  });
}
const mesh = meshes[0]!.mesh;
let peer: PortkeyPeer | undefined;

const messages = [{ role: 'user', content: 'Say hello in one short sentence.' }];
const upstreamBody = JSON.stringify({ model: 'meta-llama/Llama-3.1-8B-Instruct', messages, max_tokens: 64 });
const targets: Array<{ name: string; target: LoadTarget }> = [
  { name: 'direct', target: { origin: mesh.upstreams.serverless, path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: upstreamBody } },
];

const runs = new Map<string, LatencyStats[]>();
try {
  if (!values['no-peer']) {
    peer = await startPortkeyPeer(root);
    targets.push({ name: 'portkey', target: { origin: peer.origin, path: '/v1/chat/completions', headers: peer.headersFor(`${mesh.upstreams.serverless}/v1`), body: upstreamBody } });
  }
  for (const m of meshes) {
    targets.push({
      name: labelOf(m.deployment),
      target: {
        origin: m.mesh.gatewayUrl,
        path: '/v1/chat/completions',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${m.mesh.apiKey}` },
        body: JSON.stringify({ model: 'auto', messages, max_tokens: 64 }),
      },
    });
  }
  // Warm up connections, JIT and caches on every path.
  for (const { target } of targets) await runLoadPhase(target, { concurrency: 10, requests: 200 });
  for (const c of levels) {
    for (let r = 0; r < rounds; r++) {
      for (const { name, target } of targets) {
        const key = `${c}/${name}`;
        runs.set(key, [...(runs.get(key) ?? []), await runLoadPhase(target, { concurrency: c, requests })]);
      }
    }
  }
} finally {
  await peer?.stop();
  for (const m of meshes) await m.mesh.stop();
  rmSync(scratch, { recursive: true, force: true });
}

interface PathSummary {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
}
const summarise = (stats: LatencyStats[]): PathSummary => ({
  p50: median(stats.map((s) => s.p50Ms)),
  p99: median(stats.map((s) => s.p99Ms)),
  rps: median(stats.map((s) => s.rps)),
  errors: stats.reduce((n, s) => n + s.errors, 0),
});
const fmt = (n: number): string => n.toFixed(2).padStart(8);
const names = targets.map((t) => t.name);
const ours = meshes.map((m) => labelOf(m.deployment));
const lines = [
  `requests per round ${requests}, rounds ${rounds}, medians across rounds; upstream: simulator, ${values['output-tokens']} output tokens, no added latency${peer ? `; peer: @portkey-ai/gateway ${PORTKEY_VERSION}` : ''}`,
  `conc |${names.map((n) => ` ${n.padEnd(12)} p50   p99     rps  |`).join('')}${ours.map((o) => ` ${o} added p50  p99 |${peer ? ` ${o}/portkey rps |` : ''}`).join('')} errors`,
];
const summary = levels.map((c) => {
  const paths = Object.fromEntries(names.map((n) => [n, summarise(runs.get(`${c}/${n}`) ?? [])]));
  const direct = paths['direct']!;
  const portkey = paths['portkey'];
  const errors = Object.values(paths).reduce((n, p) => n + p.errors, 0);
  const added = Object.fromEntries(
    ours.map((o) => [o, { addedP50Ms: paths[o]!.p50 - direct.p50, addedP99Ms: paths[o]!.p99 - direct.p99, ...(portkey ? { throughputVsPortkey: paths[o]!.rps / portkey.rps } : {}) }]),
  );
  lines.push(
    `${String(c).padStart(4)} |${names.map((n) => `${fmt(paths[n]!.p50)}${fmt(paths[n]!.p99)}${fmt(paths[n]!.rps)} |`).join('')}${ours
      .map((o) => `${fmt(added[o]!.addedP50Ms)}${fmt(added[o]!.addedP99Ms)}       |${portkey ? `${fmt(added[o]!.throughputVsPortkey!)}             |` : ''}`)
      .join('')} ${errors}`,
  );
  return { concurrency: c, paths, added, errors };
});
process.stdout.write(`${lines.join('\n')}\n`);
const out = resolve(root, String(values.out));
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, JSON.stringify({ when: new Date().toISOString(), requests, rounds, peer: peer ? `@portkey-ai/gateway@${PORTKEY_VERSION}` : null, summary }, null, 2));
process.stdout.write(`saved ${out}\n`);
