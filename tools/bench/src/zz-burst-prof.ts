// TEMPORARY (not committed): profile a single-process mesh under a 1,000-stream burst.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { startMesh } from '@sophia/dev';
import { createUpstreamSimulator } from '@sophia/upstream-sim';
const N = Number(process.env['BURST'] ?? 1000);
const agent = new Agent({ connections: N + 64 });
const sim = await createUpstreamSimulator({ persona: 'serverless', port: 0, ttftMs: 20, interTokenMs: 2, defaultOutputTokens: 16 });
const dir = mkdtempSync(join(tmpdir(), 'fo-prof-'));
const mesh = await startMesh({ env: { PATH: process.env['PATH'], HOME: process.env['HOME'], SOPHIA_LOG_LEVEL: 'error', SOPHIA_API_KEYS: 'k:acme', SOPHIA_DATA_DIR: dir, SOPHIA_SERVERLESS_BASE_URL: `${sim.url}/v1`, ...(process.env['PROF'] ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=/tmp/fo-prof` } : {}), ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('SOPHIA_'))) }, gatewayPort: 0 });
async function one(url: string, i: number, key = true) {
  const t0 = performance.now(); let first = NaN;
  const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', ...(key ? { authorization: 'Bearer k' } : {}) }, body: JSON.stringify({ model: 'meta-llama/Llama-3.1-8B-Instruct', stream: true, max_tokens: 100, messages: [{ role: 'user', content: `burst ${i} [[sim:tokens=100]] [[sim:inter-token-ms=50]]` }] }) });
  let text = '';
  for await (const c of res.body) { if (Number.isNaN(first) && String(c).includes('"content":"') && !String(c).includes('"content":""')) first = performance.now(); text += String(c); }
  return { ttft: first - t0, ok: res.statusCode === 200 && text.includes('[DONE]') };
}
async function burst(url: string) {
  const t0 = performance.now();
  const outs = await Promise.all(Array.from({ length: N }, (_, i) => one(url, i)));
  const wall = performance.now() - t0; const tt = outs.map((o) => o.ttft).sort((a, b) => a - b);
  return { ok: outs.filter((o) => o.ok).length, wall: Math.round(wall), p50: Math.round(tt[Math.floor(N * 0.5)]!), p99: Math.round(tt[Math.floor(N * 0.99)]!) };
}
try {
  for (let i = 0; i < 20; i++) await one(`${mesh.gatewayUrl}/v1/chat/completions`, i);
  const direct = await burst(`${sim.url}/v1/chat/completions`);
  const viaMesh = await burst(`${mesh.gatewayUrl}/v1/chat/completions`);
  console.log(JSON.stringify({ direct, viaMesh, ratio: viaMesh.wall / direct.wall, ttftP99Delta: viaMesh.p99 - direct.p99 }));
} finally {
  await mesh.stop(); await sim.close(); await agent.close(); rmSync(dir, { recursive: true, force: true });
}
