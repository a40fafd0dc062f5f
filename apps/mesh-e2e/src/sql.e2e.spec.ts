import { createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { SqlService, SqlSource } from '@sophia/contracts/sql';
import { demoSalesData } from '@sophia/sql-core';
import { meshForSuite } from './mesh-fixture.ts';

/** Revenue by category over the previous calendar quarter, computed in JS from the same demo data. */
function expectedRevenueByCategory(now: Date): Array<[string, string]> {
  const q = Math.floor(now.getUTCMonth() / 3);
  const start = new Date(Date.UTC(now.getUTCFullYear(), 3 * (q - 1), 1)).toISOString().slice(0, 10);
  const end = new Date(Date.UTC(now.getUTCFullYear(), 3 * q, 1)).toISOString().slice(0, 10);
  const { products, orders } = demoSalesData(now);
  const cents = new Map<string, number>();
  for (const o of orders.filter((o) => o.orderDate >= start && o.orderDate < end)) {
    for (const it of o.items) {
      const category = products[it.productId - 1]!.category;
      cents.set(category, (cents.get(category) ?? 0) + it.quantity * it.unitPriceCents);
    }
  }
  return [...cents].sort((a, b) => b[1] - a[1]).map(([c, v]) => [c, (v / 100).toFixed(2)]);
}

describe('SQL service through the gateway (real processes, demo data, no LLM)', () => {
  const mesh = meshForSuite();

  it('answers "revenue by product category for last quarter" over REST with the right rows', async () => {
    const res = await fetch(`${mesh().gatewayUrl}/v1/sql/ask`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mesh().apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'Show me revenue by product category for last quarter' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { source: string; scope: string; validation: { ok: boolean }; result: { columns: Array<{ name: string }>; rows: unknown[][] } };
    expect(body).toMatchObject({ source: 'semantic_model', scope: 'sales', validation: { ok: true } });
    expect(body.result.columns.map((c) => c.name)).toEqual(['category', 'revenue']);
    expect(body.result.rows).toEqual(expectedRevenueByCategory(new Date()));
  });

  it('streams the same answer over Connect (SqlService on the gateway port)', async () => {
    const client = createClient(SqlService, createConnectTransport({ baseUrl: mesh().gatewayUrl, httpVersion: '1.1' }));
    const rows: string[][] = [];
    let source: SqlSource | undefined;
    for await (const m of client.execute({ query: { case: 'question', value: 'Show me revenue by product category for last quarter' } }, { headers: { authorization: `Bearer ${mesh().apiKey}` } })) {
      if (m.event.case === 'header') source = m.event.value.source;
      if (m.event.case === 'rows') rows.push(...m.event.value.rows.map((r) => r.values.map((v) => String(v.kind.value))));
    }
    expect(source).toBe(SqlSource.SEMANTIC_MODEL);
    expect(rows).toEqual(expectedRevenueByCategory(new Date()));
  });

  const ask = async (body: object): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${mesh().gatewayUrl}/v1/sql/ask`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mesh().apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it("compiles usage questions over the ledger's usage table with no LLM", async () => {
    const { status, json } = await ask({ question: 'Show usage for this week by model', scope: 'usage' });
    expect(status).toBe(200);
    expect(json).toMatchObject({ source: 'semantic_model', scope: 'usage', repair_attempts: 0, result: { columns: [{ name: 'model' }, { name: 'requests' }, { name: 'total_tokens' }, { name: 'cost_usd' }] } });
  });

  it("answers usage questions from the ledger's real data, only the caller's tenant", async () => {
    const chat = async (key: string): Promise<void> => {
      const res = await fetch(`${mesh().gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Say hello in one word.' }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
    };
    await chat('test-key-acme');
    await chat('test-key-globex');
    await chat('test-key-globex');
    // The ledger records usage asynchronously after the answer: ask until it shows (bounded, no wall-clock assertion).
    let rows: unknown[] = [];
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      const { json } = await ask({ question: 'Show usage by tenant for this week', scope: 'usage' });
      rows = ((json['result'] as { rows?: unknown[] } | undefined)?.rows ?? []);
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(rows).toEqual([['acme', 1, expect.any(Number), expect.any(Number)]]);
  });

  it('sends an uncovered question through the router (LLM path) and never runs what fails validation', async () => {
    const { status, json } = await ask({ question: 'which sales territory had the most unhappy buyers', scope: 'sales' });
    expect(status).toBe(200);
    // The simulated upstream answers with prose, not SQL: every proposal is rejected, repairs are spent.
    expect(json).toMatchObject({ source: 'llm', sql: '', repair_attempts: 2, validation: { ok: false } });
    expect(json['result']).toBeUndefined();
  });
});
