// The MCP server (apps/mcp) as its own process in front of a real mesh: tools over streamable HTTP
// and stdio with the official SDK client, the same plan → confirm → apply as the API, key and scope
// checks on HTTP, and the MCP Inspector's CLI against both transports.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Mesh } from '@sophia/dev';
import { startTestMesh } from './mesh-fixture.ts';

const ROOT = join(__dirname, '..', '..', '..');
const MCP_MAIN = join(ROOT, 'apps', 'mcp', 'src', 'main.ts');
const INSPECTOR = join(ROOT, 'node_modules', '.bin', 'mcp-inspector');
const ADMIN = 'k-mcp-admin';
const CHAT_ONLY = 'k-mcp-chat';

let mesh: Mesh;
let mcp: ChildProcess;
let mcpUrl: string;

beforeAll(async () => {
  mesh = await startTestMesh({ SOPHIA_API_KEYS: `${ADMIN}:ops:chat+admin,${CHAT_ONLY}:globex` });
  mcp = spawn(process.execPath, [MCP_MAIN], {
    env: { PATH: process.env['PATH'] ?? '', SOPHIA_LOG_LEVEL: 'warn', SOPHIA_GATEWAY_URL: mesh.gatewayUrl, SOPHIA_MCP_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: mcp.stdout! });
  const [line] = (await once(rl, 'line')) as [string];
  rl.close();
  mcpUrl = (JSON.parse(line) as { http: string }).http;
}, 90_000);

afterAll(async () => {
  if (mcp && mcp.exitCode === null) {
    mcp.kill('SIGTERM');
    await once(mcp, 'exit');
  }
  await mesh?.stop();
});

async function httpClient(key: string): Promise<Client> {
  const client = new Client({ name: 'mesh-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return client;
}

async function backendOf(content: string): Promise<string> {
  const res = await fetch(`${mesh.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }], max_tokens: 8 }),
  });
  return ((await res.json()) as { sophia: { backend: string } }).sophia.backend;
}

type ToolText = { content: Array<{ type: string; text?: string }>; structuredContent?: Record<string, unknown>; isError?: boolean };

describe('MCP server over streamable HTTP', () => {
  it('lists one typed tool per operator command plus run_command and confirm_plan; reads read-only, writes destructive', async () => {
    const client = await httpClient(ADMIN);
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['usage_report', 'savings_report', 'costs_compare', 'costs_optimize', 'route_next', 'route_pin', 'traffic_split', 'overrides_list', 'overrides_clear', 'budget_show', 'budget_set', 'ratelimits_show', 'ratelimits_set', 'breakers_show', 'gpu_list', 'gpu_launch', 'gpu_terminate', 'run_command', 'confirm_plan']));
    expect(tools).toHaveLength(19);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName['usage_report']!.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName['route_next']!.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    expect(byName['route_next']!.inputSchema.properties).toMatchObject({ n: { type: 'integer' }, backend: { enum: ['gpu', 'serverless'] } });
    await client.close();
  });

  it('"Route next 10 queries to GPU" through run_command + confirm_plan: exactly the next 10 completions on GPU', async () => {
    const client = await httpClient(ADMIN);
    const planned = (await client.callTool({ name: 'run_command', arguments: { text: 'Route next 10 queries to GPU for testing' } })) as ToolText;
    const plan = planned.structuredContent!['plan'] as { id: string; status: string };
    expect(planned.content[0]!.text).toMatch(/^PLAN plan_\w+ \(pending/);
    expect(await backendOf('Before confirming.')).toBe('serverless');
    const confirmed = (await client.callTool({ name: 'confirm_plan', arguments: { plan_id: plan.id } })) as ToolText;
    expect(confirmed.isError).toBeFalsy();
    const seen: string[] = [];
    for (let i = 0; i < 11; i++) seen.push(await backendOf(`MCP question ${i}`));
    expect(seen).toEqual([...Array(10).fill('gpu'), 'serverless']);
    const replay = (await client.callTool({ name: 'confirm_plan', arguments: { plan_id: plan.id } })) as ToolText;
    expect(replay.isError).toBe(true);
    expect(replay.content[0]!.text).toMatch(/^FAILED_PRECONDITION: plan_id: plan \S+ was already applied/);
    await client.close();
  });

  it('typed write tools answer plans; bad arguments are refused with the field named', async () => {
    const client = await httpClient(ADMIN);
    const budget = (await client.callTool({ name: 'budget_set', arguments: { tenant: 'globex', amount_usd: 2500, window: 'monthly' } })) as ToolText;
    expect(budget.content[0]!.text).toMatch(/Set tenant globex's monthly budget to \$2,500\.00/);
    const limits = (await client.callTool({ name: 'ratelimits_set', arguments: { tenant: 'globex', scope: 'per_key', concurrent_requests: 4 } })) as ToolText;
    expect(limits.content[0]!.text).toMatch(/Set tenant globex's limits per API key to 4 concurrent \(was no limit, from none\)/);
    const shown = (await client.callTool({ name: 'ratelimits_show', arguments: { tenant: 'globex' } })) as ToolText;
    expect(shown.content[0]!.text).toMatch(/^tenant globex: no limit in total, no limit per key \(none\)/);
    const bad = (await client.callTool({ name: 'route_next', arguments: { n: 0, backend: 'gpu' } })) as ToolText;
    expect(bad.isError).toBe(true);
    expect(bad.content[0]!.text).toMatch(/n/);
    const fleet = (await client.callTool({ name: 'gpu_list', arguments: {} })) as ToolText;
    expect(fleet.content[0]!.text).toMatch(/^\d+ GPU instances? \(fleet mode \w+\)/);
    await client.close();
  });

  it('refuses a request without a key (401) and a key without an ops scope (403)', async () => {
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    const post = (headers: Record<string, string>) => fetch(mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(init) });
    expect((await post({})).status).toBe(401);
    // The MCP server the mesh itself started (npm start prints this endpoint) is guarded the same way.
    expect(mesh.mcpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect((await fetch(mesh.mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(init) })).status).toBe(401);
    expect((await post({ authorization: 'Bearer nope' })).status).toBe(401);
    const denied = await post({ authorization: `Bearer ${CHAT_ONLY}` });
    expect(denied.status).toBe(403);
    expect(JSON.stringify(await denied.json())).toMatch(/lacks scope ops:read/);
  });
});

describe('MCP server the mesh hosts (npm start prints its endpoint)', () => {
  it('runs as one of the mesh services (in the mesh process in single-process mode) and answers tools through the gateway', async () => {
    const hosted = mesh.services['mcp']!;
    expect(hosted.ready['http']).toBe(mesh.mcpUrl);
    if (mesh.deployment === 'single-process') expect(hosted.pid).toBe(mesh.services['gateway']!.pid);
    else expect(hosted.pid).not.toBe(mesh.services['gateway']!.pid);
    const client = new Client({ name: 'mesh-e2e-hosted', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mesh.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${ADMIN}` } } }));
    const breakers = (await client.callTool({ name: 'breakers_show', arguments: {} })) as ToolText;
    expect(breakers.isError).toBeFalsy();
    expect(breakers.content[0]!.text).toMatch(/breakers/);
    await client.close();
  });
});

describe('MCP server over stdio', () => {
  it('answers tools with the configured key', async () => {
    const client = new Client({ name: 'mesh-e2e-stdio', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [MCP_MAIN, '--stdio'], env: { PATH: process.env['PATH'] ?? '', SOPHIA_LOG_LEVEL: 'warn', SOPHIA_GATEWAY_URL: mesh.gatewayUrl, SOPHIA_MCP_API_KEY: ADMIN }, stderr: 'inherit' }));
    const usage = (await client.callTool({ name: 'run_command', arguments: { text: 'Show Lambda Labs usage for this week' } })) as ToolText;
    expect(usage.content[0]!.text).toMatch(/^Usage of all tenants, \d{4}-\d{2}-\d{2} … before \d{4}-\d{2}-\d{2}: \d+ requests/);
    const none = (await client.callTool({ name: 'run_command', arguments: { text: 'Write a haiku about GPUs' } })) as ToolText;
    expect(none.content[0]!.text).toBe('Not an infrastructure command: nothing was run.');
    await client.close();
  });
});

describe('MCP Inspector CLI (@modelcontextprotocol/inspector --cli)', () => {
  const run = promisify(execFile);
  it('lists the tools over streamable HTTP and calls one over stdio', async () => {
    const http = await run(INSPECTOR, ['--cli', mcpUrl, '--transport', 'http', '--header', `Authorization: Bearer ${ADMIN}`, '--method', 'tools/list'], { cwd: ROOT, timeout: 60_000 });
    const listed = JSON.parse(http.stdout) as { tools: Array<{ name: string }> };
    expect(listed.tools.map((t) => t.name)).toContain('run_command');
    const stdio = await run(
      INSPECTOR,
      ['--cli', '-e', `SOPHIA_GATEWAY_URL=${mesh.gatewayUrl}`, '-e', `SOPHIA_MCP_API_KEY=${ADMIN}`, '-e', 'SOPHIA_LOG_LEVEL=warn', '--method', 'tools/call', '--tool-name', 'breakers_show', process.execPath, MCP_MAIN, '--stdio'],
      { cwd: ROOT, timeout: 60_000 },
    );
    const called = JSON.parse(stdio.stdout) as { content: Array<{ text: string }> };
    expect(called.content[0]!.text).toMatch(/breakers/);
  }, 120_000);
});
