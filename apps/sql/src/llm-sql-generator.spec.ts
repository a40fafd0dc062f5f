import { createClient, createRouterTransport } from '@connectrpc/connect';
import { Role } from '@sophia/contracts/common';
import { RouterService, type RouteInput } from '@sophia/contracts/router';
import { createRouterSqlGenerator, extractSql } from './llm-sql-generator.ts';

describe('extractSql', () => {
  it('takes the fenced block, else the whole reply, without a trailing semicolon', () => {
    expect(extractSql('Here you go:\n```sql\nSELECT 1 FROM t;\n```\nThanks')).toBe('SELECT 1 FROM t');
    expect(extractSql('```\nSELECT 2\n```')).toBe('SELECT 2');
    expect(extractSql('  SELECT 3;  ')).toBe('SELECT 3');
  });
});

describe('createRouterSqlGenerator', () => {
  it('asks the router (workload "sql", temperature 0) with the schema, question and previous errors', async () => {
    const inputs: RouteInput[] = [];
    const router = createClient(
      RouterService,
      createRouterTransport(({ service }) =>
        service(RouterService, {
          async *generate(req) {
            inputs.push(req.input!);
            yield { event: { case: 'delta', value: '```sql\nSELECT region ' } };
            yield { event: { case: 'delta', value: 'FROM ORDERS\n```' } };
            yield { event: { case: 'done', value: { finishReason: 'stop' } } };
          },
        }),
      ),
    );
    const gen = createRouterSqlGenerator(router);
    const sql = await gen.generate({ question: 'regions?', schema: 'TABLE ORDERS (\n  region VARCHAR\n)', tenant: 'acme', previous: { sql: 'SELECT x FROM ORDERS', errors: ['unknown column x in ORDERS'] } });
    expect(sql).toBe('SELECT region FROM ORDERS');
    const input = inputs[0]!;
    expect(input).toMatchObject({ tenant: 'acme', model: 'auto', workloadTag: 'sql', params: { temperature: 0, maxTokens: 800 } });
    expect(input.requestId).toMatch(/^sql-/);
    expect(input.messages.map((m) => m.role)).toEqual([Role.SYSTEM, Role.USER]);
    expect(input.messages[1]!.content).toContain('TABLE ORDERS');
    expect(input.messages[1]!.content).toContain('Question: regions?');
    expect(input.messages[1]!.content).toContain('- unknown column x in ORDERS');
  });
});
