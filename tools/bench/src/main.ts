import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findRepoRoot, startMesh } from '@sophia/dev';
import type { LatencyStats } from './latency-stats.ts';
import { runLoadPhase, type LoadTarget } from './load-phase.ts';

/**
 * `npm run bench`: the mesh overhead in one process tree and one run. The same request goes
 * straight to the (simulated) serverless upstream and through gateway → router → classifier →
 * serverless-inference → upstream (+ ledger record), alternating rounds at each concurrency so
 * machine noise hits both alike. Prints p50/p99, the added latency and RPS; saves JSON.
 */
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '600' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '10,50' },
    'output-tokens': { type: 'string', default: '16' },
    out: { type: 'string', default: 'reports/bench.json' },
  },
});
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const levels = String(values.concurrency).split(',').map(Number);
const root = findRepoRoot();

const mesh = await startMesh({
  env: { PATH: process.env['PATH'], HOME: process.env['HOME'], SOPHIA_LOG_LEVEL: 'error', SOPHIA_API_KEYS: 'bench-key:bench' },
  gatewayPort: 0,
  gpuSimulators: 1,
  simulatorArgs: { serverless: ['--default-output-tokens', String(values['output-tokens'])] },
});

const messages = [{ role: 'user', content: 'Say hello in one short sentence.' }];
const direct: LoadTarget = {
  origin: mesh.upstreams.serverless,
  path: '/v1/chat/completions',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'meta-llama/Llama-3.1-8B-Instruct', messages, max_tokens: 64 }),
};
const gateway: LoadTarget = {
  origin: mesh.gatewayUrl,
  path: '/v1/chat/completions',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${mesh.apiKey}` },
  body: JSON.stringify({ model: 'auto', messages, max_tokens: 64 }),
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Row {
  concurrency: number;
  direct: LatencyStats[];
  gateway: LatencyStats[];
}
const rows: Row[] = [];
try {
  // Warm up connections, JIT and caches on both paths.
  await runLoadPhase(direct, { concurrency: 10, requests: 200 });
  await runLoadPhase(gateway, { concurrency: 10, requests: 200 });
  for (const c of levels) {
    const row: Row = { concurrency: c, direct: [], gateway: [] };
    for (let r = 0; r < rounds; r++) {
      row.direct.push(await runLoadPhase(direct, { concurrency: c, requests }));
      row.gateway.push(await runLoadPhase(gateway, { concurrency: c, requests }));
    }
    rows.push(row);
  }
} finally {
  await mesh.stop();
}

const fmt = (n: number): string => n.toFixed(2).padStart(8);
const lines = [
  `requests per round ${requests}, rounds ${rounds}, medians across rounds; upstream: simulator, ${values['output-tokens']} output tokens, no added latency`,
  'conc | direct p50  p99     rps  | gateway p50  p99     rps  | added p50  added p99 | errors',
];
const summary = rows.map((row) => {
  const d = { p50: median(row.direct.map((s) => s.p50Ms)), p99: median(row.direct.map((s) => s.p99Ms)), rps: median(row.direct.map((s) => s.rps)) };
  const g = { p50: median(row.gateway.map((s) => s.p50Ms)), p99: median(row.gateway.map((s) => s.p99Ms)), rps: median(row.gateway.map((s) => s.rps)) };
  const errors = [...row.direct, ...row.gateway].reduce((n, s) => n + s.errors, 0);
  lines.push(
    `${String(row.concurrency).padStart(4)} |${fmt(d.p50)}${fmt(d.p99)}${fmt(d.rps)} |${fmt(g.p50)}${fmt(g.p99)}${fmt(g.rps)} |${fmt(g.p50 - d.p50)}${fmt(g.p99 - d.p99)}  | ${errors}`,
  );
  return { concurrency: row.concurrency, direct: d, gateway: g, addedP50Ms: g.p50 - d.p50, addedP99Ms: g.p99 - d.p99, errors, rounds: row };
});
process.stdout.write(`${lines.join('\n')}\n`);
const out = join(root, String(values.out));
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, JSON.stringify({ when: new Date().toISOString(), requests, rounds, summary }, null, 2));
process.stdout.write(`saved ${out}\n`);
