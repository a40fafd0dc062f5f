import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { parseDeployment, startMesh, type Deployment, type Mesh } from '@sophia/dev';

/**
 * `npm run -s ttft -- [--streams 120] [--warmup 30] [--deployments single-process,multi-process]`:
 * time to first token of a streamed chat completion, straight to the simulated upstream and through
 * each deployment's mesh, one stream at a time and round-robin over the paths (so machine noise hits
 * all alike). The first token is the first SSE chunk carrying non-empty `delta.content`. Prints p50
 * and p90 per path and each mesh minus direct.
 */
const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '120' },
    warmup: { type: 'string', default: '30' },
    deployments: { type: 'string', default: 'single-process,multi-process' },
  },
});
const streams = Number(values.streams);
const warmup = Number(values.warmup);
const deployments = String(values.deployments).split(',').map((d) => parseDeployment(d.trim()));

interface StreamTarget {
  readonly name: string;
  readonly pool: Pool;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const CONTENT = /"content":"[^"]/;

/** Milliseconds from sending the request to the first chunk with content; the rest is read and dropped. */
async function timeToFirstToken(t: StreamTarget): Promise<number> {
  const t0 = performance.now();
  const res = await t.pool.request({ method: 'POST', path: t.path, headers: t.headers, body: t.body });
  if (res.statusCode !== 200) throw new Error(`${t.name}: HTTP ${res.statusCode}: ${await res.body.text()}`);
  let first: number | undefined;
  let buffered = '';
  for await (const chunk of res.body) {
    if (first !== undefined) continue;
    buffered += (chunk as Buffer).toString('utf8');
    if (CONTENT.test(buffered)) first = performance.now() - t0;
  }
  if (first === undefined) throw new Error(`${t.name}: stream ended without content`);
  return first;
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

const scratch = mkdtempSync(join(tmpdir(), 'ttft-run-'));
const meshes: Array<{ deployment: Deployment; mesh: Mesh }> = [];
const targets: StreamTarget[] = [];
const messages = [{ role: 'user', content: 'Say hello in one short sentence.' }];
try {
  for (const deployment of deployments) {
    const dataDir = join(scratch, deployment);
    mkdirSync(dataDir);
    const mesh = await startMesh({
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], SOPHIA_LOG_LEVEL: 'error', SOPHIA_API_KEYS: 'bench-key:bench', SOPHIA_DATA_DIR: dataDir, SOPHIA_WAREHOUSE_PATH: join(dataDir, 'warehouse.duckdb') },
      deployment,
      gatewayPort: 0,
      gpuSimulators: 1,
    });
    meshes.push({ deployment, mesh });
    targets.push({
      name: deployment,
      pool: new Pool(mesh.gatewayUrl, { connections: 1 }),
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${mesh.apiKey}` },
      body: JSON.stringify({ model: 'auto', messages, max_tokens: 16, stream: true }),
    });
  }
  const first = meshes[0]!.mesh;
  targets.unshift({
    name: 'direct',
    pool: new Pool(first.upstreams.serverless, { connections: 1 }),
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'meta-llama/Llama-3.1-8B-Instruct', messages, max_tokens: 16, stream: true }),
  });
  const samples = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (let i = 0; i < warmup + streams; i++) {
    for (const t of targets) {
      const ms = await timeToFirstToken(t);
      if (i >= warmup) samples.get(t.name)!.push(ms);
    }
  }
  const direct = samples.get('direct')!;
  const lines = [`${streams} sequential streams per path after ${warmup} warm-up, round-robin; ms`, 'path               p50      p90   p50-direct'];
  for (const t of targets) {
    const xs = samples.get(t.name)!;
    const p50 = percentile(xs, 0.5);
    lines.push(`${t.name.padEnd(15)}${p50.toFixed(2).padStart(8)} ${percentile(xs, 0.9).toFixed(2).padStart(8)} ${(p50 - percentile(direct, 0.5)).toFixed(2).padStart(10)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  for (const t of targets) await t.pool.close();
  for (const m of meshes) await m.mesh.stop();
  rmSync(scratch, { recursive: true, force: true });
}
