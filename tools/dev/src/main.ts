import { join } from 'node:path';
import { ensureWebBuild } from '@sophia/web-build';
import { findRepoRoot } from './repo-root.ts';
import { DEFAULT_SIMULATED_PROVIDERS } from './simulated-providers.ts';
import { startMesh, type Mesh } from './start-mesh.ts';
import { describeSupervisorEvent } from './supervisor-report.ts';
import { watchParent } from './watch-parent.ts';
import { tracingLines } from './tracing-lines.ts';

/**
 * `npm start`: the mesh (SOPHIA_DEPLOYMENT=single-process by default: one process hosting every
 * service; multi-process: one process each), with simulators for any upstream not configured, then
 * the gateway URL, each service's address and a curl that works. Every process is supervised: a
 * crash is reported and restarted, a crash loop stops the mesh with exit 1. Ctrl-C (or SIGTERM)
 * drains and stops everything, and so does the death of the parent: npm 11 exits on SIGTERM without
 * passing it on to this script.
 */
const width = 22;
// A closed terminal or pipe must not crash the orchestrator before it has stopped its children.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
// The gateway serves the web app from apps/web/dist: build it first when missing or older than its sources.
await ensureWebBuild({ root: findRepoRoot(), log: (line) => process.stderr.write(`${line}\n`) }).catch((err: unknown) => {
  process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
// Set once the mesh is up; a crash loop during start has nothing to stop but the children already gone.
const running: { mesh?: Mesh } = {};
let stopping = false;
const stop = (code: number): void => {
  if (stopping) return;
  stopping = true;
  process.stderr.write('stopping the mesh…\n');
  (running.mesh ? running.mesh.stop() : Promise.resolve()).then(
    () => process.exit(code),
    () => process.exit(1),
  );
};
const mesh = await startMesh({
  env: { SOPHIA_LOG_LEVEL: 'warn', ...process.env },
  serverlessProviders: DEFAULT_SIMULATED_PROVIDERS,
  onLog: (name, line) => process.stderr.write(`${name.padEnd(width)}| ${line}\n`),
  onEvent: (event) => process.stderr.write(`${'supervisor'.padEnd(width)}| ${describeSupervisorEvent(event)}\n`),
  supervise: {
    onGiveUp: (reason) => {
      process.stderr.write(`npm start: ${reason}\n`);
      stop(1);
    },
  },
}).catch((err: unknown) => {
  process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
running.mesh = mesh;

const body = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Say hello in one short sentence.' }] });
const lines = [
  '',
  `Sophia inference mesh is up. Gateway: ${mesh.gatewayUrl}`,
  `  web app (chat, dashboards): ${mesh.gatewayUrl}/chat#key=${mesh.apiKey}`,
  `  deployment:          ${mesh.deployment} (SOPHIA_DEPLOYMENT)`,
  `  serverless upstream: ${mesh.upstreams.serverless}`,
  ...(mesh.upstreams.providers.length > 0
    ? [
        `  serverless providers (simulated; the cheaper takes the traffic, the other takes over when it fails): ${mesh.upstreams.providers.map((p) => `${p.name} ${p.url}`).join(', ')}`,
        `  make ${mesh.upstreams.providers[0]!.name} fail: curl -s -X POST ${mesh.upstreams.providers[0]!.url}/sim/fault -d '{"fault":"status:code=500"}'  (clear: curl -s -X DELETE ${mesh.upstreams.providers[0]!.url}/sim/fault); answers name their provider in x-sophia-provider`,
      ]
    : []),
  `  GPU upstreams:       ${mesh.upstreams.gpu.join(', ')}`,
  ...fleetLines(mesh),
  ...tracingLines(process.env),
  ...Object.values(mesh.services).map((s) => `  ${s.name.padEnd(width)} pid ${s.pid}  ${String(s.ready['grpc'] ?? s.ready['http'] ?? s.ready['url'] ?? '')}  ${String(s.ready['metrics'] ?? '')}`),
  '',
  'Try:',
  `  curl -s ${mesh.gatewayUrl}/v1/chat/completions \\`,
  `    -H 'Authorization: Bearer ${mesh.apiKey}' -H 'Content-Type: application/json' \\`,
  `    -d '${body}'`,
  '',
  'Ask the SQL service (demo sales data in DuckDB, answered from the semantic model, no LLM):',
  `  curl -s ${mesh.gatewayUrl}/v1/sql/ask \\`,
  `    -H 'Authorization: Bearer ${mesh.apiKey}' -H 'Content-Type: application/json' \\`,
  `    -d '${JSON.stringify({ question: 'Show me revenue by product category for last quarter' })}'`,
  '',
  ...opsLines(mesh),
  'Ctrl-C stops every process.',
  '',
];
process.stdout.write(lines.join('\n'));

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
watchParent(() => {
  process.stderr.write('the parent process (npm start) exited: ');
  stop(0);
});

/** The GPU fleet's mode and cloud, and how to watch it launch an instance when every provider fails. */
function fleetLines(m: Mesh): string[] {
  const cloud = m.upstreams.lambdaCloud;
  if (cloud === undefined) return [];
  const mode = process.env['SOPHIA_GPU_FLEET'] === 'auto' ? 'auto (launches and terminates)' : 'plan (decides and logs only; SOPHIA_GPU_FLEET=auto acts)';
  const providers = m.upstreams.providers.length > 0 ? m.upstreams.providers.map((p) => p.url) : [m.upstreams.serverless];
  return [
    `  GPU fleet:           ${mode} on the simulated Lambda Cloud ${cloud.url}/api/v1`,
    `  watch it launch (auto): fail every provider (${providers.map((u) => `curl -s -X POST ${u}/sim/fault -d '{"fault":"status:code=503"}'`).join('; ')}), send a few requests, then ask the operator API "list gpu instances"; clear the faults and it terminates after the cool-down`,
  ];
}

/**
 * The operator curl and the MCP client snippet, shown with a key that has an ops scope; when
 * SOPHIA_API_KEYS gives none, the MCP endpoint and how to grant the scope instead.
 */
function opsLines(m: Mesh): string[] {
  const stdio = (key: string): string =>
    // Through the Node 24 shim and by absolute path, so the line runs as printed from any folder and any system node.
    `  stdio instead: SOPHIA_GATEWAY_URL=${m.gatewayUrl} SOPHIA_MCP_API_KEY=${key} sh ${join(findRepoRoot(), 'tools/node/with-node.sh')} node ${join(findRepoRoot(), 'apps/mcp/src/main.ts')} --stdio`;
  if (m.opsApiKey === undefined) {
    return [
      'Operate it in plain English: none of the SOPHIA_API_KEYS keys has an ops scope, so the operator API and MCP refuse them.',
      '  Give a key the scopes it needs (key:tenant:chat+ops:read+ops:write, or :admin for every tenant) and restart.',
      `MCP server (every operator command as a tool): ${m.mcpUrl}`,
      '',
    ];
  }
  return [
    m.apiKey === m.opsApiKey
      ? "Operate it in plain English (operator API; the key needs an ops scope — local mode's key has all):"
      : 'Operate it in plain English (operator API; shown with the first SOPHIA_API_KEYS key that has an ops scope):',
    `  curl -s ${m.gatewayUrl}/v1/ops/run -H 'Authorization: Bearer ${m.opsApiKey}' -H 'Content-Type: application/json' \\`,
    `    -d '${JSON.stringify({ text: 'Show Lambda Labs usage for this week' })}'`,
    '',
    `MCP server (every operator command as a tool): ${m.mcpUrl}`,
    '  client configuration (Claude Desktop, Cursor, MCP Inspector):',
    ...JSON.stringify({ mcpServers: { sophia: { type: 'streamable-http', url: m.mcpUrl, headers: { Authorization: `Bearer ${m.opsApiKey}` } } } }, null, 2)
      .split('\n')
      .map((l) => `    ${l}`),
    stdio(m.opsApiKey),
    '',
  ];
}
