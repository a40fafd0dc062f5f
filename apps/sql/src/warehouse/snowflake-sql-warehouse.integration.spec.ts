// Runs against a real Snowflake account only when SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER,
// SNOWFLAKE_PRIVATE_KEY_PATH, SNOWFLAKE_WAREHOUSE, SNOWFLAKE_DATABASE and SNOWFLAKE_SCHEMA are set.
import { createLogger } from '@sophia/platform';
import { openSnowflakeSqlWarehouse } from './snowflake-sql-warehouse.ts';
import type { SqlWarehouse, WarehouseEvent } from './warehouse.ts';

const KEYS = ['SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER', 'SNOWFLAKE_PRIVATE_KEY_PATH', 'SNOWFLAKE_WAREHOUSE', 'SNOWFLAKE_DATABASE', 'SNOWFLAKE_SCHEMA'] as const;
const configured = KEYS.every((k) => process.env[k]);
const suite = configured ? describe : describe.skip;
if (!configured) process.stderr.write(`snowflake integration test skipped: set ${KEYS.join(', ')} to run it\n`);

suite('Snowflake warehouse (real account)', () => {
  let wh: SqlWarehouse;
  beforeAll(async () => {
    wh = await openSnowflakeSqlWarehouse({ ...Object.fromEntries(KEYS.map((k) => [k, process.env[k]])), SNOWFLAKE_ROLE: process.env['SNOWFLAKE_ROLE'], SOPHIA_SQL_SNOWFLAKE_POOL_MAX: 2 }, createLogger({ service: 'sql-it', level: 'silent' }));
  }, 60_000);
  afterAll(() => wh?.close());

  it('streams a result with typed cells and compile-checks', async () => {
    const events: WarehouseEvent[] = [];
    for await (const e of wh.query("SELECT 1 AS ONE, 'x' AS TXT, 1.50::NUMBER(10,2) AS DEC, IFF(TRUE, 'a', 'b') AS I FROM TABLE(GENERATOR(ROWCOUNT => 3))", { maxRows: 2, timeoutMs: 30_000, tag: 'sophia-sql:it' })) events.push(e);
    expect(events[0]).toMatchObject({ kind: 'header', columns: [{ name: 'ONE' }, { name: 'TXT' }, { name: 'DEC' }, { name: 'I' }] });
    expect(events.filter((e) => e.kind === 'rows').flatMap((e) => (e.kind === 'rows' ? e.rows : []))).toEqual([
      [1n, 'x', '1.50', 'a'],
      [1n, 'x', '1.50', 'a'],
    ]);
    expect(events.at(-1)).toEqual({ kind: 'end', rowCount: 2, truncated: true });
    expect(await wh.check('SELECT 1')).toBeUndefined();
    expect(await wh.check('SELECT nope FROM no_such_table_sophia')).toMatch(/^snowflake: /);
  }, 60_000);
});
