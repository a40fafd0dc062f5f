import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { generateKeyPairSync } from 'node:crypto';
import { createLogger } from '@sophia/platform';
import { QueryFailedError, QueryTimeoutError, type WarehouseEvent } from './warehouse.ts';
import {
  createSnowflakeSqlWarehouse,
  openSnowflakeSqlWarehouse,
  type SnowflakeColumnLike,
  type SnowflakeConnectionLike,
  type SnowflakeExecuteOptions,
  type SnowflakePoolLike,
  type SnowflakeStatementLike,
  snowflakeCatalogSql,
} from './snowflake-sql-warehouse.ts';
import { scratchDir } from '@sophia/platform/testing';

interface Table {
  readonly columns: Array<{ name: string; type: string; scale?: number }>;
  readonly rows: unknown[][];
}

/**
 * In-process stand-in for snowflake-sdk: a pool of connections whose execute() answers from canned
 * tables keyed by SQL text, honours describeOnly, calls `complete` asynchronously like the driver,
 * streams rows through a Readable, and can hang until cancelled (to exercise the timeout).
 */
function standIn(tables: Record<string, Table>, options: { hang?: boolean } = {}) {
  const executed: SnowflakeExecuteOptions[] = [];
  let acquired = 0;
  let released = 0;
  let cancelled = 0;
  let drained = false;
  const connection: SnowflakeConnectionLike = {
    execute(opts) {
      executed.push(opts);
      const table = tables[opts.sqlText];
      const statement: SnowflakeStatementLike = {
        getColumns: () => table?.columns.map((c): SnowflakeColumnLike => ({ getName: () => c.name, getType: () => c.type, getScale: () => c.scale ?? 0 })),
        streamRows: () =>
          Readable.from(
            (function* () {
              for (const r of table?.rows ?? []) {
                yield r;
              }
            })(),
            { objectMode: true },
          ),
        cancel: (cb) => {
          cancelled++;
          const err = Object.assign(new Error('SQL execution canceled'), { code: '000604' });
          if (options.hang) pending?.(err);
          cb?.(undefined);
        },
      };
      let pending: ((err: Error & { code?: string }) => void) | undefined;
      if (options.hang) {
        pending = (err) => opts.complete(err, statement, undefined);
      } else {
        setImmediate(() => {
          if (!table) opts.complete(Object.assign(new Error(`SQL compilation error: Object '${opts.sqlText}' does not exist`), { code: '002003' }), statement, undefined);
          else opts.complete(undefined, statement, opts.describeOnly ? [] : undefined);
        });
      }
      return statement;
    },
  };
  const pool: SnowflakePoolLike = {
    acquire: async () => {
      acquired++;
      return connection;
    },
    release: async () => {
      released++;
    },
    drain: async () => {
      drained = true;
    },
    clear: async () => undefined,
  };
  return { pool, executed, counts: () => ({ acquired, released, cancelled, drained }) };
}

async function collect(gen: AsyncGenerator<WarehouseEvent>): Promise<WarehouseEvent[]> {
  const out: WarehouseEvent[] = [];
  for await (const e of gen) out.push(e);
  return out;
}

const SALES: Table = {
  columns: [
    { name: 'CATEGORY', type: 'text' },
    { name: 'REVENUE', type: 'fixed', scale: 2 },
    { name: 'ORDERS', type: 'fixed' },
    { name: 'SHARE', type: 'real' },
    { name: 'ACTIVE', type: 'boolean' },
    { name: 'DAY', type: 'date' },
  ],
  rows: [
    ['Books', '120.50', '3', '0.25', true, '2026-07-01'],
    ['Toys', '99.00', '2', '0.5', false, null],
    ['Home', '10.00', '1', '0.25', true, '2026-07-03'],
  ],
};

describe('Snowflake warehouse (snowflake-sdk stand-in)', () => {
  it('streams typed rows with column metadata, QUERY_TAG and the statement timeout as session parameters', async () => {
    const sf = standIn({ 'SELECT * FROM SALES': SALES });
    const wh = createSnowflakeSqlWarehouse({ pool: sf.pool, description: 'snowflake:acct/DB.PUBLIC', database: 'DB' });
    const events = await collect(wh.query('SELECT * FROM SALES', { maxRows: 10, timeoutMs: 2500, tag: 'sophia-sql:acme' }));
    expect(events[0]).toEqual({ kind: 'header', columns: [
      { name: 'CATEGORY', type: 'TEXT' },
      { name: 'REVENUE', type: 'NUMBER(38,2)' },
      { name: 'ORDERS', type: 'NUMBER(38,0)' },
      { name: 'SHARE', type: 'REAL' },
      { name: 'ACTIVE', type: 'BOOLEAN' },
      { name: 'DAY', type: 'DATE' },
    ] });
    expect(events[1]).toEqual({ kind: 'rows', rows: [
      ['Books', '120.50', 3n, 0.25, true, '2026-07-01'],
      ['Toys', '99.00', 2n, 0.5, false, null],
      ['Home', '10.00', 1n, 0.25, true, '2026-07-03'],
    ] });
    expect(events[2]).toEqual({ kind: 'end', rowCount: 3, truncated: false });
    expect(sf.executed[0]).toMatchObject({ streamResult: true, rowMode: 'array', parameters: { STATEMENT_TIMEOUT_IN_SECONDS: 3, QUERY_TAG: 'sophia-sql:acme' } });
    expect(sf.executed[0]!.fetchAsString).toEqual(expect.arrayContaining(['Number', 'Date']));
    expect(sf.counts()).toMatchObject({ acquired: 1, released: 1 });
  });

  it('cuts at maxRows, reports truncation and cancels the rest', async () => {
    const sf = standIn({ 'SELECT * FROM SALES': SALES });
    const wh = createSnowflakeSqlWarehouse({ pool: sf.pool, description: 'd', database: 'DB' });
    const events = await collect(wh.query('SELECT * FROM SALES', { maxRows: 2, timeoutMs: 1000 }));
    expect(events.filter((e) => e.kind === 'rows').flatMap((e) => (e.kind === 'rows' ? e.rows : []))).toHaveLength(2);
    expect(events.at(-1)).toEqual({ kind: 'end', rowCount: 2, truncated: true });
    expect(sf.counts()).toMatchObject({ cancelled: 1, released: 1 });
  });

  it('compile-checks with describeOnly and returns the compilation error', async () => {
    const sf = standIn({ 'SELECT 1 FROM SALES': SALES });
    const wh = createSnowflakeSqlWarehouse({ pool: sf.pool, description: 'd', database: 'DB' });
    expect(await wh.check('SELECT 1 FROM SALES')).toBeUndefined();
    expect(await wh.check('SELECT 1 FROM NOPE')).toBe("snowflake: SQL compilation error: Object 'SELECT 1 FROM NOPE' does not exist");
    expect(sf.executed.every((e) => e.describeOnly === true)).toBe(true);
    expect(sf.counts()).toMatchObject({ acquired: 2, released: 2 });
  });

  it('maps driver errors and cancels at the timeout', async () => {
    const failing = createSnowflakeSqlWarehouse({ pool: standIn({}).pool, description: 'd', database: 'DB' });
    await expect(collect(failing.query('SELECT * FROM NOPE', { maxRows: 1, timeoutMs: 1000 }))).rejects.toBeInstanceOf(QueryFailedError);
    const sf = standIn({}, { hang: true });
    const hanging = createSnowflakeSqlWarehouse({ pool: sf.pool, description: 'd', database: 'DB' });
    await expect(collect(hanging.query('SELECT * FROM SLOW', { maxRows: 1, timeoutMs: 20 }))).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(sf.counts()).toMatchObject({ cancelled: 1, released: 1 });
  });

  it('reads the catalog from <DB>.INFORMATION_SCHEMA.COLUMNS and TABLES: names, case, types, comments, order', async () => {
    const sql = snowflakeCatalogSql('SALES');
    const text = (name: string) => ({ name, type: 'text' });
    const sf = standIn({
      // Rows as Snowflake returns them, already ordered by schema, table, ordinal position.
      [sql.columns]: {
        columns: ['TABLE_CATALOG', 'TABLE_SCHEMA', 'TABLE_NAME', 'COLUMN_NAME', 'DATA_TYPE', 'COMMENT'].map(text),
        rows: [
          ['SALES', 'PUBLIC', 'MixedCase', 'Id', 'NUMBER', null],
          ['SALES', 'PUBLIC', 'MixedCase', 'Home Town', 'TEXT', 'where they live'],
          ['SALES', 'PUBLIC', 'ORDERS', 'ORDER_ID', 'NUMBER', null],
          ['SALES', 'PUBLIC', 'ORDERS', 'AMOUNT', 'NUMBER', null],
        ],
      },
      [sql.tables]: {
        columns: ['TABLE_CATALOG', 'TABLE_SCHEMA', 'TABLE_NAME', 'COMMENT'].map(text),
        rows: [['SALES', 'PUBLIC', 'ORDERS', 'one row per order'], ['SALES', 'PUBLIC', 'MixedCase', null]],
      },
    });
    const wh = createSnowflakeSqlWarehouse({ pool: sf.pool, description: 'd', database: 'SALES' });
    expect(await wh.describeCatalog()).toEqual({
      tables: [
        { name: 'SALES.PUBLIC.MixedCase', columns: [{ name: 'Id', type: 'NUMBER' }, { name: 'Home Town', type: 'TEXT', description: 'where they live' }] },
        { name: 'SALES.PUBLIC.ORDERS', description: 'one row per order', columns: [{ name: 'ORDER_ID', type: 'NUMBER' }, { name: 'AMOUNT', type: 'NUMBER' }] },
      ],
    });
    expect(sf.executed.map((e) => e.sqlText)).toEqual([sql.columns, sql.tables]);
    expect(sql.columns).toContain('FROM SALES.INFORMATION_SCHEMA.COLUMNS');
    expect(snowflakeCatalogSql('my-db').tables).toContain('FROM "my-db".INFORMATION_SCHEMA.TABLES');
    expect(sf.counts()).toMatchObject({ acquired: 1, released: 1 });
  });

  it('reports an INFORMATION_SCHEMA failure as a warehouse error naming the database', async () => {
    const sf = standIn({});
    const wh = createSnowflakeSqlWarehouse({ pool: sf.pool, description: 'd', database: 'NOPE' });
    await expect(wh.describeCatalog()).rejects.toThrow(/^snowflake: INFORMATION_SCHEMA of NOPE: SQL compilation error/);
    expect(sf.counts()).toMatchObject({ acquired: 1, released: 1 });
  });

  it('drains the pool on close', async () => {
    const sf = standIn({});
    await createSnowflakeSqlWarehouse({ pool: sf.pool, description: 'd', database: 'DB' }).close();
    expect(sf.counts().drained).toBe(true);
  });
});

describe('openSnowflakeSqlWarehouse (real snowflake-sdk, no network)', () => {
  it('loads the SDK and builds a key-pair pool lazily (no connection until a query)', async () => {
    const dir = scratchDir('sf-key-');
    const keyPath = join(dir, 'rsa_key.p8');
    writeFileSync(keyPath, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const wh = await openSnowflakeSqlWarehouse(
      { SNOWFLAKE_ACCOUNT: 'example-acct', SNOWFLAKE_USER: 'SOPHIA', SNOWFLAKE_PRIVATE_KEY_PATH: keyPath, SNOWFLAKE_WAREHOUSE: 'WH', SNOWFLAKE_DATABASE: 'DB', SNOWFLAKE_SCHEMA: 'PUBLIC', SOPHIA_SQL_SNOWFLAKE_POOL_MAX: 2 },
      createLogger({ service: 'sql-test', level: 'silent' }),
    );
    expect(wh.description).toBe('snowflake:example-acct/DB.PUBLIC');
    await wh.close();
  });
});
