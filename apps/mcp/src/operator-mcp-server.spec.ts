import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { OperatorService, PlanStatus } from '@sophia/contracts/ops';
import { COMMAND_INTENTS } from '@sophia/ops-interpreter';
import { createOperatorMcpServer } from './operator-mcp-server.ts';
import { OPERATOR_TOOLS } from './tool-catalog.ts';

type Text = { content: Array<{ text: string }>; isError?: boolean; structuredContent?: Record<string, unknown> };

/** An MCP client wired in memory to the server, over a fake OperatorService that records what it was asked. */
async function connect() {
  const seen: Array<{ method: string; req: unknown; auth: string | null }> = [];
  const transport = createRouterTransport(({ service }) => {
    service(OperatorService, {
      routeNext(req, ctx) {
        seen.push({ method: 'routeNext', req: { n: req.n, backend: req.backend }, auth: ctx.requestHeader.get('authorization') });
        return { plan: { id: 'plan_1', summary: 'Route the next 3 requests to gpu first.', costEffect: '≈ +$0.01', status: PlanStatus.PENDING } };
      },
      getBreakers() {
        throw new ConnectError('this API key lacks scope ops:read', Code.PermissionDenied);
      },
      getUsageReport(req) {
        seen.push({ method: 'getUsageReport', req: { from: req.from, groupBy: req.groupBy }, auth: null });
        return { result: { summary: 'Usage: 2 requests', table: { columns: ['model', 'requests'], rows: [{ cells: [{ kind: { case: 'stringValue', value: 'm' } }, { kind: { case: 'numberValue', value: 2 } }] }] } } };
      },
    });
  });
  const server = createOperatorMcpServer({ client: createClient(OperatorService, transport), apiKey: 'sk-test', callTimeoutMs: 1000, version: 'test' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'spec', version: '1' });
  await client.connect(b);
  return { client, seen };
}

describe('operator MCP server', () => {
  it('has one tool per operator command', () => {
    expect(OPERATOR_TOOLS.map((t) => t.intent).sort()).toEqual([...COMMAND_INTENTS].sort());
  });

  it('a write tool calls its RPC with the typed args and the key, and answers the plan as text and JSON', async () => {
    const { client, seen } = await connect();
    const res = (await client.callTool({ name: 'route_next', arguments: { n: 3, backend: 'gpu' } })) as Text;
    expect(seen).toEqual([{ method: 'routeNext', req: { n: 3, backend: 'gpu' }, auth: 'Bearer sk-test' }]);
    expect(res.content[0]!.text).toBe('PLAN plan_1 (pending, expires ?): Route the next 3 requests to gpu first.\nExpected cost effect: ≈ +$0.01\nNothing has changed yet: call confirm_plan with plan_id "plan_1" to apply it.');
    expect(res.structuredContent).toMatchObject({ plan: { id: 'plan_1' } });
  });

  it('a read tool answers summary then table; an API error is a tool error naming the code', async () => {
    const { client, seen } = await connect();
    const usage = (await client.callTool({ name: 'usage_report', arguments: { from: '2026-12-01', group_by: 'model' } })) as Text;
    expect(seen[0]).toEqual({ method: 'getUsageReport', req: { from: '2026-12-01', groupBy: 'model' }, auth: null });
    expect(usage.content[0]!.text).toBe('Usage: 2 requests\n\nmodel | requests\nm | 2');
    const denied = (await client.callTool({ name: 'breakers_show', arguments: {} })) as Text;
    expect(denied).toMatchObject({ isError: true, content: [{ text: 'PERMISSION_DENIED: this API key lacks scope ops:read' }] });
  });

  it('arguments outside the schema never reach the API', async () => {
    const { client, seen } = await connect();
    const res = (await client.callTool({ name: 'route_next', arguments: { n: 0, backend: 'gpu' } })) as Text;
    expect(res.isError).toBe(true);
    expect(seen).toEqual([]);
  });
});
