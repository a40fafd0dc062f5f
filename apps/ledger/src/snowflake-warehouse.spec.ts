// The Snowflake adapter against an in-process stand-in of the snowflake-sdk Connection: the stand-in
// keeps tables as maps and applies the adapter's MERGE with Snowflake's semantics (insert the source
// rows whose key has no match), so the test checks the SQL shape, the bind layout and idempotency.
import { T0, usageRecord } from './usage-store-contract.ts';
import { createSnowflakeWarehouse, mergeSql, type SnowflakeConnectionLike } from './snowflake-warehouse.ts';

type Bind = string | number | boolean;

function standIn(): SnowflakeConnectionLike & { tables: Map<string, Map<string, Bind[]>>; statements: string[]; failNext: boolean; destroyed: boolean } {
  const tables = new Map<string, Map<string, Bind[]>>();
  const statements: string[] = [];
  const state = { failNext: false, destroyed: false };
  return {
    tables,
    statements,
    get failNext() {
      return state.failNext;
    },
    set failNext(v: boolean) {
      state.failNext = v;
    },
    get destroyed() {
      return state.destroyed;
    },
    execute({ sqlText, binds = [], complete }) {
      statements.push(sqlText);
      queueMicrotask(() => {
        if (state.failNext) {
          state.failNext = false;
          return complete(new Error('SQL execution error: warehouse suspended'), undefined, undefined);
        }
        const create = /^CREATE TABLE IF NOT EXISTS (\w+) \((.*), PRIMARY KEY \((\w+)\)\)$/.exec(sqlText);
        if (create) {
          if (!tables.has(create[1]!)) tables.set(create[1]!, new Map());
          return complete(undefined, {}, []);
        }
        if (/^ALTER TABLE \w+ ADD COLUMN IF NOT EXISTS \w+ [\w(),]+ DEFAULT \w+$/.test(sqlText)) return complete(undefined, {}, []);
        const merge = /^MERGE INTO (\w+) t USING \(SELECT (.*) FROM VALUES (.*)\) s ON t\.(\w+) = s\.(\w+) WHEN NOT MATCHED THEN INSERT \((.*)\) VALUES \((.*)\)$/.exec(sqlText);
        if (!merge) return complete(new Error(`stand-in: unsupported SQL ${sqlText}`), undefined, undefined);
        const table = tables.get(merge[1]!);
        if (table === undefined) return complete(new Error(`table ${merge[1]} does not exist`), undefined, undefined);
        const columns = merge[6]!.split(', ');
        const rows = merge[3]!.split('), (').length;
        if (binds.length !== rows * columns.length) return complete(new Error(`bind count ${binds.length} != ${rows} × ${columns.length}`), undefined, undefined);
        const keyIndex = columns.indexOf(merge[4]!);
        for (let r = 0; r < rows; r++) {
          const row = binds.slice(r * columns.length, (r + 1) * columns.length);
          const key = String(row[keyIndex]);
          if (!table.has(key)) table.set(key, row);
        }
        complete(undefined, {}, []);
      });
    },
    destroy(callback) {
      state.destroyed = true;
      callback(undefined);
    },
  };
}

describe('Snowflake warehouse adapter', () => {
  it('creates both tables and writes a batch with one MERGE per table, keyed by id', async () => {
    const connection = standIn();
    const warehouse = await createSnowflakeWarehouse(connection);
    expect(connection.statements.slice(0, 5)).toEqual([
      expect.stringMatching(/^CREATE TABLE IF NOT EXISTS usage_events \(request_id VARCHAR NOT NULL, .* PRIMARY KEY \(request_id\)\)$/),
      expect.stringMatching(/^CREATE TABLE IF NOT EXISTS audit \(audit_id VARCHAR NOT NULL, .* PRIMARY KEY \(audit_id\)\)$/),
      // A table from before the cache flag gains it.
      'ALTER TABLE usage_events ADD COLUMN IF NOT EXISTS cache_hit BOOLEAN DEFAULT FALSE',
      'ALTER TABLE usage_events ADD COLUMN IF NOT EXISTS cache_saved_micro_usd NUMBER(38,0) DEFAULT 0',
      'ALTER TABLE usage_events ADD COLUMN IF NOT EXISTS cached_prompt_tokens NUMBER(38,0) DEFAULT 0',
    ]);
    const batch = {
      usage: [usageRecord({ requestId: 'a', costMicroUsd: 7 }), usageRecord({ requestId: 'b', apiKey: 'k' }), usageRecord({ requestId: 'a', costMicroUsd: 7 })],
      audit: [{ auditId: 'x', timeMs: T0, actor: 'ops', action: 'budget.set', subject: 'acme', details: '{}' }],
    };
    await warehouse.write(batch);
    await warehouse.write(batch);
    const usage = connection.tables.get('usage_events')!;
    expect([...usage.keys()]).toEqual(['a', 'b']);
    expect(usage.get('a')).toEqual(['a', 'acme', 'small', 'serverless', 'simple', 100, 50, 7, 'test-1', T0, 12, false, true, '', 'serverless:small', '', false, 0, 0]);
    expect(usage.get('b')?.at(-4)).toBe('k');
    expect(connection.tables.get('audit')?.size).toBe(1);
    await warehouse.close();
    expect(connection.destroyed).toBe(true);
  });

  it('surfaces a failed statement so the sink retries the batch', async () => {
    const connection = standIn();
    const warehouse = await createSnowflakeWarehouse(connection);
    connection.failNext = true;
    await expect(warehouse.write({ usage: [usageRecord({ requestId: 'a' })], audit: [] })).rejects.toThrow('warehouse suspended');
    await warehouse.write({ usage: [usageRecord({ requestId: 'a' })], audit: [] });
    expect(connection.tables.get('usage_events')?.size).toBe(1);
  });

  it('builds MERGE … WHEN NOT MATCHED THEN INSERT over a VALUES list', () => {
    expect(mergeSql('audit', ['audit_id', 'actor'], 2)).toBe(
      'MERGE INTO audit t USING (SELECT column1 AS audit_id, column2 AS actor FROM VALUES (?, ?), (?, ?)) s ON t.audit_id = s.audit_id ' +
        'WHEN NOT MATCHED THEN INSERT (audit_id, actor) VALUES (s.audit_id, s.actor)',
    );
  });
});
