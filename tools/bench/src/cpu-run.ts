import { parseArgs } from 'node:util';
import { startMesh } from '@sophia/dev';
import { runLoadPhase, type LoadTarget } from './load-phase.ts';
import { processCpuMs } from './process-cpu.ts';

/**
 * `node tools/bench/src/cpu-run.ts [--requests 2000] [--concurrency 10] [--stream]`: the CPU one
 * request costs in each mesh process. Starts the mesh (the same request as `npm run bench`), warms
 * up, then reads every process's user+system CPU time from /proc before and after a load phase and
 * prints CPU ms per request per process and summed. CPU per request is far less sensitive to a
 * noisy machine than latency or throughput. `--node-options` passes NODE_OPTIONS to every mesh
 * process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` for profiles, written when the mesh stops);
 * `--env KEY=VALUE` (repeatable) adds configuration to every mesh process.
 */
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '10' },
    'output-tokens': { type: 'string', default: '16' },
    stream: { type: 'boolean', default: false },
    'node-options': { type: 'string', default: '' },
    /** Extra environment for every mesh process, KEY=VALUE, repeatable (e.g. SOPHIA_WAREHOUSE_SINK=none). */
    env: { type: 'string', multiple: true, default: [] },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);

const mesh = await startMesh({
  env: {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    SOPHIA_LOG_LEVEL: 'error',
    SOPHIA_API_KEYS: 'bench-key:bench',
    ...(values['node-options'] ? { NODE_OPTIONS: values['node-options'] } : {}),
    ...Object.fromEntries(values.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
  },
  gatewayPort: 0,
  gpuSimulators: 1,
  simulatorArgs: { serverless: ['--default-output-tokens', String(values['output-tokens'])] },
});
const target: LoadTarget = {
  origin: mesh.gatewayUrl,
  path: '/v1/chat/completions',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${mesh.apiKey}` },
  body: JSON.stringify({ model: 'auto', stream: values.stream, messages: [{ role: 'user', content: 'Say hello in one short sentence.' }], max_tokens: 64 }),
};
const names = Object.keys(mesh.services);
const cpuNow = (): Record<string, number> =>
  Object.fromEntries(names.map((n) => [n, processCpuMs(mesh.services[n]!.pid) ?? Number.NaN]));

try {
  await runLoadPhase(target, { concurrency: 10, requests: 500 });
  const before = cpuNow();
  const selfBefore = process.cpuUsage();
  const stats = await runLoadPhase(target, { concurrency, requests });
  const after = cpuNow();
  const self = process.cpuUsage(selfBefore);
  const done = stats.count;
  const rows = names.map((n) => ({ name: n, msPerRequest: (after[n]! - before[n]!) / done }));
  const mesh_ = rows.filter((r) => !r.name.startsWith('sim')).reduce((s, r) => s + r.msPerRequest, 0);
  const lines = [
    `${done} requests (${stats.errors} errors) at concurrency ${concurrency}${values.stream ? ', streamed' : ''}: p50 ${stats.p50Ms.toFixed(2)} ms, ${stats.rps.toFixed(0)} rps`,
    ...rows.map((r) => `${r.name.padEnd(22)} ${r.msPerRequest.toFixed(3).padStart(8)} ms CPU / request`),
    `${'mesh (no simulators)'.padEnd(22)} ${mesh_.toFixed(3).padStart(8)} ms CPU / request`,
    `${'load generator'.padEnd(22)} ${((self.user + self.system) / 1000 / done).toFixed(3).padStart(8)} ms CPU / request`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await mesh.stop();
}
