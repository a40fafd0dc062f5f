import { Code, ConnectError } from '@connectrpc/connect';
import { SqlService, SqlSource, type ExecuteResponse } from '@sophia/contracts/sql';
import { createLogger, createServiceClient, serviceRegistration, startGrpcServer, type RunningGrpcServer } from '@sophia/platform';
import { demoSalesData, loadSemanticModelFile } from '@sophia/sql-core';
import { seedDemoSales } from './demo-sales.ts';
import type { SqlGenerationPrompt, SqlGenerator } from './llm-sql-generator.ts';
import { BUNDLED_MODELS } from './sql-config.ts';
import { CROSS_TENANT_NOTE, createSqlEngine } from './sql-engine.ts';
import { createSqlHandler } from './sql-handler.ts';
import { createSqlMetrics } from './sql-metrics.ts';
import { Registry } from 'prom-client';
import { USAGE_EVENTS_DDL } from './start-sql.ts';
import { createDuckDbSqlWarehouse, type DuckDbSqlWarehouse } from './warehouse/duckdb-sql-warehouse.ts';

const NOW = new Date('2026-11-26T15:00:00Z');
const logger = createLogger({ service: 'sql-test', level: 'silent' });

/** A fake router: canned replies in order, recording every prompt. */
function cannedGenerator(replies: string[]): SqlGenerator & { prompts: SqlGenerationPrompt[] } {
  const prompts: SqlGenerationPrompt[] = [];
  return {
    prompts,
    async generate(prompt) {
      prompts.push(prompt);
      const reply = replies.shift();
      if (reply === undefined) throw new Error('no canned reply left');
      return reply;
    },
  };
}

// Usage events: tenant acme on 2 models this week, globex last week, one old row.
const usageRows: Array<[string, string, string, number, number, number, number]> = [
  ['r1', 'acme', 'small-8b', 100, 50, 1_500, Date.UTC(2026, 10, 24, 10)],
  ['r2', 'acme', 'small-8b', 200, 100, 3_000, Date.UTC(2026, 10, 25, 11)],
  ['r3', 'acme', 'large-70b', 1000, 500, 90_000, Date.UTC(2026, 10, 26, 9)],
  ['r4', 'globex', 'large-70b', 400, 100, 30_000, Date.UTC(2026, 10, 21, 9)],
  ['r5', 'globex', 'small-8b', 10, 10, 200, Date.UTC(2026, 9, 1, 9)],
];

async function* collect(stream: AsyncIterable<ExecuteResponse>) {
  for await (const m of stream) yield m;
}

async function run(stream: AsyncIterable<ExecuteResponse>) {
  const events: ExecuteResponse[] = [];
  for await (const m of collect(stream)) events.push(m);
  const header = events[0]?.event.case === 'header' ? events[0].event.value : undefined;
  const rows = events.flatMap((e) => (e.event.case === 'rows' ? e.event.value.rows.map((r) => r.values.map((v) => (v.kind.case === 'isNull' ? null : v.kind.value))) : []));
  const last = events.at(-1);
  const summary = last?.event.case === 'summary' ? last.event.value : undefined;
  return { header, rows, summary, kinds: events.map((e) => e.event.case) };
}

describe('SqlService over gRPC (DuckDB, semantic models)', () => {
  let warehouse: DuckDbSqlWarehouse;
  let server: RunningGrpcServer;
  let client: ReturnType<typeof createServiceClient<typeof SqlService>>;
  let generator: ReturnType<typeof cannedGenerator>;
  const registry = new Registry();

  beforeAll(async () => {
    warehouse = await createDuckDbSqlWarehouse({
      path: ':memory:',
      setup: async (exec) => {
        await seedDemoSales(exec, NOW);
        await exec(USAGE_EVENTS_DDL);
        for (const [id, tenant, model, p, c, cost, t] of usageRows) {
          await exec(`INSERT INTO USAGE_EVENTS VALUES ('${id}', '${tenant}', '${model}', 'serverless', 'small', ${p}, ${c}, ${cost}, 'v1', ${t}, 120, false, true, 'chat', 't', 'k')`);
        }
      },
    });
    generator = cannedGenerator([]);
    const engine = createSqlEngine({
      models: BUNDLED_MODELS.map((p) => loadSemanticModelFile(p)),
      warehouse,
      generator,
      maxRepairs: 2,
      clock: () => NOW,
      metrics: createSqlMetrics(registry),
      limits: { defaultRowLimit: 100, maxRowLimit: 1000, defaultTimeoutMs: 10_000, maxTimeoutMs: 60_000 },
    });
    server = await startGrpcServer({ services: [serviceRegistration(SqlService, createSqlHandler(engine))], logger, host: '127.0.0.1', port: 0 });
    client = createServiceClient(SqlService, server.address);
  });
  afterAll(async () => {
    await server.shutdown(1000);
    await warehouse.close();
  });

  it('answers the demo question from the semantic model with the right rows', async () => {
    const ask = await client.ask({ question: 'Show me revenue by product category for last quarter' });
    expect(ask).toMatchObject({ source: SqlSource.SEMANTIC_MODEL, scope: 'sales', tables: ['ORDER_ITEMS', 'PRODUCTS', 'ORDERS'], validation: { ok: true, errors: [] } });
    expect(ask.columns).toEqual(expect.arrayContaining(['PRODUCTS.category', 'ORDER_ITEMS.quantity', 'ORDERS.order_date']));

    const result = await run(client.execute({ query: { case: 'question', value: 'Show me revenue by product category for last quarter' } }));
    expect(result.kinds[0]).toBe('header');
    expect(result.header?.columns.map((c) => [c.name, c.type])).toEqual([['category', 'VARCHAR'], ['revenue', 'DECIMAL(38,2)']]);
    expect(result.header?.source).toBe(SqlSource.SEMANTIC_MODEL);
    // Independent computation from the same demo data: 2026-07-01 .. 2026-09-30.
    const { products, orders } = demoSalesData(NOW);
    const expected = new Map<string, number>();
    for (const o of orders.filter((o) => o.orderDate >= '2026-07-01' && o.orderDate < '2026-10-01')) {
      for (const it of o.items) {
        const cat = products[it.productId - 1]!.category;
        expected.set(cat, (expected.get(cat) ?? 0) + it.quantity * it.unitPriceCents);
      }
    }
    const want = [...expected].sort((a, b) => b[1] - a[1]).map(([c, cents]) => [c, (cents / 100).toFixed(2)]);
    expect(result.rows).toEqual(want);
    expect(result.summary).toMatchObject({ rowCount: 4n, truncated: false });
  });

  it("answers usage questions over the ledger's usage table with no LLM, an admin key across tenants", async () => {
    const admin = { headers: { 'x-sophia-tenant': 'ops', 'x-sophia-scopes': 'chat,admin' } };
    const week = await run(client.execute({ query: { case: 'question', value: 'Show usage for this week by model' }, scope: 'usage' }, admin));
    expect(week.header?.columns.map((c) => c.name)).toEqual(['model', 'requests', 'total_tokens', 'cost_usd']);
    expect(week.rows).toEqual([
      ['small-8b', 2n, 450n, 0.0045],
      ['large-70b', 1n, 1500n, 0.09],
    ]);
    expect(week.header?.explanation).toContain(CROSS_TENANT_NOTE);
    const cost = await run(client.execute({ query: { case: 'question', value: 'cost by tenant last 7 days' } }, admin));
    expect(cost.rows).toEqual([
      ['acme', 0.0945],
      ['globex', 0.03],
    ]);
    const acme = await run(client.execute({ query: { case: 'question', value: 'daily spend for tenant ACME last 7 days' } }, admin));
    expect(acme.header?.columns.map((c) => c.name)).toEqual(['request_time_day', 'cost_usd']);
    expect(acme.rows).toEqual([
      ['2026-11-24 00:00:00', 0.0015],
      ['2026-11-25 00:00:00', 0.003],
      ['2026-11-26 00:00:00', 0.09],
    ]);
    expect(generator.prompts).toHaveLength(0);
  });

  it("gives a tenant's key only that tenant's usage, whatever it asks", async () => {
    const acme = { headers: { 'x-sophia-tenant': 'acme', 'x-sophia-scopes': 'chat' } };
    const cost = await run(client.execute({ query: { case: 'question', value: 'cost by tenant last 7 days' } }, acme));
    expect(cost.rows).toEqual([['acme', 0.0945]]);
    expect(cost.header?.explanation).not.toContain(CROSS_TENANT_NOTE);
    const globex = await run(client.execute({ query: { case: 'question', value: 'daily spend for tenant globex last 7 days' } }, acme));
    expect(globex.rows).toEqual([]);
    const own = await run(client.execute({ query: { case: 'sql', value: "SELECT tenant, COUNT(*) FROM usage_events WHERE tenant <> 'acme' OR 1 = 1 GROUP BY 1" }, scope: 'usage' }, acme));
    expect(own.rows).toEqual([['acme', 3n]]);
    await expect(client.execute({ query: { case: 'sql', value: 'SELECT api_key FROM usage_events' }, scope: 'usage' }, acme)[Symbol.asyncIterator]().next()).rejects.toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: 'sql: rejected by the validator: column api_key of USAGE_EVENTS is only available to admin callers',
    });
    await expect(client.ask({ question: 'cost by tenant last 7 days' })).resolves.toMatchObject({ sql: '', validation: { ok: false, errors: ['table USAGE_EVENTS holds tenant data and this call carries no tenant'] } });
  });

  it('answers verified questions with their SQL', async () => {
    const ask = await client.ask({ question: 'What is our best selling product of all time?' });
    expect(ask.source).toBe(SqlSource.VERIFIED_QUERY);
    const r = await run(client.execute({ query: { case: 'sql', value: ask.sql } }));
    const { products, orders } = demoSalesData(NOW);
    const units = new Map<number, number>();
    for (const o of orders) for (const it of o.items) units.set(it.productId, (units.get(it.productId) ?? 0) + it.quantity);
    const best = [...units].sort((a, b) => b[1] - a[1] || products[a[0] - 1]!.name.localeCompare(products[b[0] - 1]!.name))[0]!;
    expect(r.rows).toEqual([[products[best[0] - 1]!.name, BigInt(best[1])]]);
  });

  it('streams caller SQL with the row limit and reports truncation', async () => {
    const r = await run(client.execute({ query: { case: 'sql', value: 'select order_id, order_date, status from orders order by order_id' }, rowLimit: 3 }));
    expect(r.rows).toEqual([
      [1n, expect.any(String), 'completed'],
      [2n, expect.any(String), 'completed'],
      [3n, expect.any(String), 'completed'],
    ]);
    expect(r.summary).toMatchObject({ rowCount: 3n, truncated: true });
    expect(r.header?.source).toBe(SqlSource.CALLER);
  });

  it('translates Snowflake functions for DuckDB', async () => {
    const r = await run(
      client.execute({ query: { case: 'sql', value: "select IFF(quantity > 2, 'big', 'small') AS size, DATEDIFF(day, CAST('2026-01-01' AS DATE), CAST('2026-01-31' AS DATE)) AS d, DATEADD(day, 1, CAST('2026-01-31' AS DATE))::date AS next, quantity::varchar AS q from order_items where order_id = 1 and quantity > 0 limit 1" } }),
    );
    expect(r.rows[0]).toEqual([expect.stringMatching(/^(big|small)$/), 30n, '2026-02-01', expect.any(String)]);
  });

  it('validates, rejecting unsafe SQL with reasons and refusing to execute it', async () => {
    const ok = await client.validate({ sql: 'select name from products' });
    expect(ok).toMatchObject({ report: { ok: true, tables: ['PRODUCTS'] }, sql: 'select name from products LIMIT 1000' });
    const bad = await client.validate({ sql: 'select nope from products' });
    expect(bad.report?.ok).toBe(false);
    expect(bad.report?.errors.join()).toMatch(/unknown column nope/);
    await expect(run(client.execute({ query: { case: 'sql', value: 'delete from orders' } }))).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: expect.stringMatching(/^sql: rejected by the validator/) });
  });

  it('names the field of bad requests', async () => {
    await expect(client.ask({ question: '  ' })).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: 'question: must not be empty' });
    await expect(client.ask({ question: 'revenue', scope: 'hr' })).rejects.toMatchObject({ code: Code.NotFound, rawMessage: 'scope: unknown semantic model "hr" (known: sales, usage)' });
    await expect(run(client.execute({ query: { case: 'sql', value: 'select 1 from orders' }, rowLimit: 5000 }))).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: 'row_limit: 5000 exceeds the maximum 1000' });
    await expect(run(client.execute({}))).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: 'query: set exactly one of sql or question' });
  });

  it('interrupts a statement at its timeout', async () => {
    const slow = 'select count(*) from order_items a cross join order_items b cross join order_items c cross join order_items d';
    const err = await run(client.execute({ query: { case: 'sql', value: slow }, timeoutMs: 50 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err).toMatchObject({ code: Code.DeadlineExceeded, rawMessage: expect.stringMatching(/^timeout_ms: statement exceeded its 50 ms timeout/) });
  });

  it('sends uncovered questions to the LLM and repairs a bad proposal using the error', async () => {
    const replies = ['SELECT favourite_color, COUNT(*) FROM ORDERS GROUP BY 1', 'SELECT region, COUNT(*) AS n FROM ORDERS GROUP BY region ORDER BY region'];
    const fake = cannedGenerator([...replies]);
    generator.generate = fake.generate;
    const prompts = fake.prompts;
    const ask = await client.ask({ question: 'how many orders came from each sales territory', scope: 'sales' });
    expect(ask).toMatchObject({ source: SqlSource.LLM, repairAttempts: 1, validation: { ok: true } });
    expect(prompts).toHaveLength(2);
    expect(prompts[0]!.schema).toContain('TABLE ORDERS');
    expect(prompts[0]!.previous).toBeUndefined();
    expect(prompts[1]!.previous?.sql).toBe(replies[0]);
    expect(prompts[1]!.previous!.errors.join()).toMatch(/unknown column favourite_color/i);
    const r = await run(client.execute({ query: { case: 'sql', value: ask.sql } }));
    expect(r.rows.map((row) => row[0])).toEqual(['East', 'North', 'South', 'West']);
  });

  it('gives up after the repair budget with the last errors', async () => {
    generator.generate = cannedGenerator(['SELECT x FROM ORDERS', 'SELECT y FROM ORDERS', 'SELECT z FROM ORDERS']).generate;
    const ask = await client.ask({ question: 'orders per sales territory please', scope: 'sales' });
    expect(ask).toMatchObject({ source: SqlSource.LLM, sql: '', repairAttempts: 2, validation: { ok: false } });
    expect(ask.validation?.errors.join()).toMatch(/unknown column z/);
  });

  it('describes the catalog', async () => {
    const d = await client.describeCatalog({ scope: 'sales' });
    expect(d.warehouse).toBe('duckdb::memory:');
    expect(d.models.map((m) => m.name)).toEqual(['sales']);
    expect(d.models[0]).toMatchObject({ measures: ['revenue', 'units_sold', 'order_count'], timeDimensions: ['order_date'], verifiedQuestions: ['What is our best selling product of all time?'] });
    expect(d.models[0]!.tables.map((t) => t.name)).toEqual(['ORDER_ITEMS', 'ORDERS', 'PRODUCTS']);
  });

  it('counts answers by source and executions by result', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/sql_answers_total\{source="semantic_model",result="valid",scope="sales"\} [1-9]/);
    expect(text).toMatch(/sql_answers_total\{source="llm",result="invalid",scope="sales"\} 1/);
    expect(text).toMatch(/sql_executions_total\{result="timeout"\} 1/);
    expect(text).toMatch(/sql_executions_total\{result="rejected"\} 2/); // the earlier rejected statement and the restricted column
    expect(text).toMatch(/sql_executions_total\{result="truncated"\} 1/);
  });
});
