import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient, createRouterTransport, type ServiceImpl } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { AskResponseSchema, SqlService, SqlSource, ValueSchema } from '@sophia/contracts/sql';
import type { GatewayServer } from './gateway-server.ts';
import { jsonCell } from './sql-routes.ts';
import { json, jsonHeaders, startTestGateway, TEST_KEY } from './testing/gateway-harness.ts';

/** A fake SQL service recording the tenant and scopes headers of every call. */
function fakeSql() {
  const tenants: Array<string | null> = [];
  const executed: string[] = [];
  const impl: Partial<ServiceImpl<typeof SqlService>> = {
    ask(req, ctx) {
      tenants.push(`${ctx.requestHeader.get('x-sophia-tenant')}|${ctx.requestHeader.get('x-sophia-scopes')}`);
      if (req.question === 'unknown words') throw new ConnectError('question: no semantic model covers it', Code.FailedPrecondition);
      return create(AskResponseSchema, { sql: 'SELECT category, revenue FROM X LIMIT 1000', explanation: 'e', source: SqlSource.SEMANTIC_MODEL, scope: 'sales', tables: ['X'], columns: ['X.category'], validation: { ok: true } });
    },
    async *execute(req, ctx) {
      tenants.push(`${ctx.requestHeader.get('x-sophia-tenant')}|${ctx.requestHeader.get('x-sophia-scopes')}`);
      executed.push(req.query.case === 'sql' ? req.query.value : '');
      yield { event: { case: 'header', value: { columns: [{ name: 'category', type: 'VARCHAR' }, { name: 'revenue', type: 'DECIMAL(38,2)' }, { name: 'n', type: 'BIGINT' }] } } };
      yield { event: { case: 'rows', value: { rows: [{ values: [{ kind: { case: 'text', value: 'Books' } }, { kind: { case: 'text', value: '12.50' } }, { kind: { case: 'integer', value: 3n } }] }] } } };
      yield { event: { case: 'summary', value: { rowCount: 1n, truncated: false } } };
    },
  };
  return { tenants, executed, client: createClient(SqlService, createRouterTransport(({ service }) => service(SqlService, impl))) };
}

describe('SQL through the gateway (fake SQL service)', () => {
  let gateway: GatewayServer;
  let sql: ReturnType<typeof fakeSql>;
  beforeAll(async () => {
    sql = fakeSql();
    ({ gateway } = await startTestGateway({ sql: sql.client }));
  });
  afterAll(() => gateway.close(100));
  const post = (body: unknown, headers = jsonHeaders({ 'x-sophia-tenant': 'spoofed', 'x-sophia-scopes': 'admin' })) => fetch(`${gateway.url}/v1/sql/ask`, { method: 'POST', headers, body: JSON.stringify(body) });

  it('asks and executes over REST, as the authenticated tenant with its own scopes (spoofed headers replaced)', async () => {
    const res = await post({ question: 'revenue by category' });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      sql: 'SELECT category, revenue FROM X LIMIT 1000',
      explanation: 'e',
      source: 'semantic_model',
      scope: 'sales',
      tables: ['X'],
      columns: ['X.category'],
      validation: { ok: true, errors: [] },
      repair_attempts: 0,
      result: { columns: [{ name: 'category', type: 'VARCHAR' }, { name: 'revenue', type: 'DECIMAL(38,2)' }, { name: 'n', type: 'BIGINT' }], rows: [['Books', '12.50', 3]], row_count: 1, truncated: false },
    });
    expect(sql.tenants.slice(-2)).toEqual(['acme|chat', 'acme|chat']);
    expect(sql.executed.at(-1)).toBe('SELECT category, revenue FROM X LIMIT 1000');
  });

  it('refuses missing keys, bad bodies and maps service errors to HTTP', async () => {
    expect((await post({ question: 'x' }, { 'content-type': 'application/json' })).status).toBe(401);
    const bad = await post({ question: '' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatchObject({ message: 'question: must be a non-empty string', param: 'question' });
    const extra = await post({ question: 'x', sql: 'drop table x' });
    expect(extra.status).toBe(400);
    const uncovered = await post({ question: 'unknown words', execute: false });
    expect(uncovered.status).toBe(422);
    expect((await json(uncovered)).error).toMatchObject({ message: 'question: no semantic model covers it', param: 'question', code: 'sql_FailedPrecondition' });
  });

  it('serves sophia.sql.v1.SqlService over Connect with API-key auth', async () => {
    const client = createClient(SqlService, createConnectTransport({ baseUrl: gateway.url, httpVersion: '1.1' }));
    await expect(client.ask({ question: 'q' })).rejects.toMatchObject({ code: Code.Unauthenticated });
    const ask = await client.ask({ question: 'q' }, { headers: { authorization: `Bearer ${TEST_KEY}` } });
    expect(ask.source).toBe(SqlSource.SEMANTIC_MODEL);
    const kinds: string[] = [];
    for await (const m of client.execute({ query: { case: 'question', value: 'q' } }, { headers: { authorization: `Bearer ${TEST_KEY}` } })) kinds.push(m.event.case ?? '');
    expect(kinds).toEqual(['header', 'rows', 'summary']);
  });

  it('renders cells as JSON (big integers as strings)', () => {
    expect(jsonCell(create(ValueSchema, { kind: { case: 'integer', value: 2n ** 60n } }))).toBe('1152921504606846976');
    expect(jsonCell(create(ValueSchema, { kind: { case: 'isNull', value: true } }))).toBeNull();
    expect(jsonCell(create(ValueSchema, { kind: { case: 'real', value: 1.5 } }))).toBe(1.5);
  });
});
