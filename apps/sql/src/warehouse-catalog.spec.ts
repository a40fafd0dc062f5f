import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqlService } from '@sophia/contracts/sql';
import { baseConfigSchema, createLogger, createServiceClient, loadConfig, startGrpcServer, type RunningGrpcServer, type StartedService } from '@sophia/platform';
import { loadSemanticModelFile } from '@sophia/sql-core';
import { createCachedCatalog } from './catalog-source.ts';
import { sqlConfigSchema, BUNDLED_MODELS } from './sql-config.ts';
import { createSqlEngine } from './sql-engine.ts';
import { CATALOG_ENTRY } from './sql-handler.ts';
import { startSql } from './start-sql.ts';
import { createDuckDbSqlWarehouse, type DuckDbSqlWarehouse } from './warehouse/duckdb-sql-warehouse.ts';
import { scratchDir } from '@sophia/platform/testing';

const logger = createLogger({ service: 'sql-test', level: 'silent' });
const parse = (env: Record<string, string>) => loadConfig(baseConfigSchema.extend(sqlConfigSchema.shape), { env });
const limits = { defaultRowLimit: 100, maxRowLimit: 1000, defaultTimeoutMs: 10_000, maxTimeoutMs: 60_000 };
const CALLER = { tenant: 't', admin: false };

describe('DuckDB catalog from INFORMATION_SCHEMA (real in-memory DuckDB)', () => {
  let warehouse: DuckDbSqlWarehouse;
  beforeAll(async () => {
    warehouse = await createDuckDbSqlWarehouse({
      path: ':memory:',
      setup: async (run) => {
        await run('CREATE TABLE "MixedCase" ("Id" INTEGER PRIMARY KEY, "Home Town" VARCHAR, amount DECIMAL(10,2))');
        await run("INSERT INTO \"MixedCase\" VALUES (1, 'Lyon', 2.50), (2, 'Oslo', 1.25)");
        await run('CREATE SCHEMA sales');
        await run('CREATE TABLE sales.lines (order_id INTEGER, line INTEGER, sku VARCHAR, PRIMARY KEY (order_id, line))');
        await run("COMMENT ON TABLE sales.lines IS 'one row per order line'");
        await run("COMMENT ON COLUMN sales.lines.sku IS 'stock keeping unit'");
        await run('CREATE VIEW towns AS SELECT "Home Town" FROM "MixedCase"');
      },
    });
  });
  afterAll(() => warehouse.close());

  it('names tables DB.SCHEMA.TABLE with their case, ordered, with reported types, keys and comments', async () => {
    expect(await warehouse.describeCatalog()).toEqual({
      tables: [
        {
          name: 'memory.main.MixedCase',
          columns: [
            { name: 'Id', type: 'INTEGER' },
            { name: 'Home Town', type: 'VARCHAR' },
            { name: 'amount', type: 'DECIMAL(10,2)' },
          ],
          primaryKey: ['Id'],
        },
        { name: 'memory.main.towns', columns: [{ name: 'Home Town', type: 'VARCHAR' }] },
        {
          name: 'memory.sales.lines',
          description: 'one row per order line',
          columns: [
            { name: 'order_id', type: 'INTEGER' },
            { name: 'line', type: 'INTEGER' },
            { name: 'sku', type: 'VARCHAR', description: 'stock keeping unit' },
          ],
          primaryKey: ['order_id', 'line'],
        },
      ],
    });
  });

  it('validates and runs caller SQL against it: quoted names case-sensitive, unknown tables rejected, refreshed after the TTL', async () => {
    let t = 0;
    const catalog = createCachedCatalog({ load: () => warehouse.describeCatalog(), ttlMs: 1000, origin: 'warehouse test', logger, now: () => t });
    const engine = createSqlEngine({ models: [], warehouse, limits, catalog });

    const ok = await engine.validate('SELECT "Home Town", amount FROM "MixedCase" ORDER BY "Id"', '', CALLER);
    expect(ok.report).toMatchObject({ ok: true, tables: ['memory.main.MixedCase'] });
    expect(ok.report.sql).toBe('SELECT "Home Town", amount FROM memory.main."MixedCase" ORDER BY "Id" LIMIT 1000');
    const wrongCase = await engine.validate('SELECT 1 FROM "mixedcase"', '', CALLER);
    expect(wrongCase.report.ok).toBe(false);
    expect(wrongCase.report.errors.join(' ')).toMatch(/mixedcase/);
    expect((await engine.validate('SELECT sku FROM sales.lines', '', CALLER)).report.ok).toBe(true);

    const rows: unknown[] = [];
    for await (const e of engine.execute({ sql: 'SELECT "Home Town" FROM "MixedCase" ORDER BY "Id"', scope: '', rowLimit: 0, timeoutMs: 0 }, CALLER)) if (e.kind === 'rows') rows.push(...e.rows);
    expect(rows).toEqual([['Lyon'], ['Oslo']]);

    await warehouse.run('CREATE TABLE later (x INTEGER)');
    t = 999;
    expect((await engine.validate('SELECT x FROM later', '', CALLER)).report.errors).toEqual([expect.stringMatching(/later/)]);
    t = 1000;
    expect((await engine.validate('SELECT x FROM later', '', CALLER)).report).toMatchObject({ ok: true, tables: ['memory.main.later'] });
    expect((await engine.describe('')).catalog?.tables.map((x) => x.name)).toContain('memory.main.later');
  });
});

describe('startSql catalog modes (DescribeCatalog and Validate over gRPC)', () => {
  let started: StartedService | undefined;
  let server: RunningGrpcServer | undefined;
  afterEach(async () => {
    await server?.shutdown(1000);
    await started?.close?.();
    server = undefined;
    started = undefined;
  });
  const serve = async (env: Record<string, string>) => {
    started = await startSql({ config: parse(env), logger });
    server = await startGrpcServer({ services: started.services, logger, host: '127.0.0.1', port: 0 });
    return createServiceClient(SqlService, server.address);
  };

  it('warehouse mode (default): DescribeCatalog lists the INFORMATION_SCHEMA tables; the validator allows them and rejects a table in neither', async () => {
    const client = await serve({});
    const d = await client.describeCatalog({ scope: '' });
    const entry = d.models.find((m) => m.name === CATALOG_ENTRY);
    expect(entry?.description).toBe('warehouse duckdb::memory: (INFORMATION_SCHEMA, refreshed every 300000 ms)');
    expect(entry?.tables.map((x) => x.name)).toEqual(['memory.main.ORDERS', 'memory.main.ORDER_ITEMS', 'memory.main.PRODUCTS', 'memory.main.USAGE_EVENTS']);
    expect(d.models.map((m) => m.name)).toEqual(['sales', 'usage', CATALOG_ENTRY]);
    expect((await client.describeCatalog({ scope: 'sales' })).models.map((m) => m.name)).toEqual(['sales']);
    const v = await client.validate({ sql: 'SELECT COUNT(*) FROM orders' });
    expect(v).toMatchObject({ report: { ok: true, tables: ['memory.main.ORDERS'] }, sql: 'SELECT COUNT(*) FROM memory.main.orders LIMIT 10000' });
    const bad = await client.validate({ sql: 'SELECT * FROM SALARIES' });
    expect(bad.report?.ok).toBe(false);
    expect(bad.report?.errors.join(' ')).toMatch(/SALARIES/);
  });

  it('file mode: the JSON catalog plus the models\' tables; a table in neither is rejected', async () => {
    const path = join(scratchDir('sql-catalog-'), 'catalog.json');
    writeFileSync(path, JSON.stringify({ tables: [{ name: 'HR.PUBLIC.People', description: 'staff', columns: [{ name: 'Full Name', type: 'TEXT', samples: ['Ada'] }, { name: 'ID', type: 'NUMBER' }], primaryKey: ['ID'] }] }));
    const client = await serve({ SOPHIA_SQL_CATALOG: path, SOPHIA_SQL_DEMO_DATA: 'false' });
    const entry = (await client.describeCatalog({})).models.find((m) => m.name === CATALOG_ENTRY);
    expect(entry).toMatchObject({ description: `file ${path}`, tables: [{ name: 'HR.PUBLIC.People', description: 'staff', columns: [{ name: 'Full Name', type: 'TEXT' }, { name: 'ID', type: 'NUMBER' }] }] });
    expect(await client.validate({ sql: 'SELECT "Full Name" FROM "People"' })).toMatchObject({ report: { ok: true, tables: ['HR.PUBLIC.People'] } });
    expect((await client.validate({ sql: 'SELECT "full name" FROM "People"' })).report?.ok).toBe(false);
    // Model tables stay allowed (behaviour before catalogs), other tables do not.
    expect((await client.validate({ sql: 'SELECT order_id FROM ORDERS' })).report?.ok).toBe(true);
    expect((await client.validate({ sql: 'SELECT * FROM HR.PUBLIC.SALARIES' })).report?.ok).toBe(false);
  });

  it('file mode refuses to start on a bad catalog file, naming it', async () => {
    await expect(startSql({ config: parse({ SOPHIA_SQL_CATALOG: '/nonexistent/catalog.json', SOPHIA_SQL_DEMO_DATA: 'false' }), logger })).rejects.toThrow(/cannot read catalog file \/nonexistent\/catalog.json/);
  });
});

describe('mergeWithModelTables via the engine', () => {
  it('lets the warehouse describe model tables (a short model name is not ambiguous with its catalog table)', async () => {
    const warehouse = await createDuckDbSqlWarehouse({ path: ':memory:', setup: async (run) => run('CREATE TABLE ORDERS (order_id INTEGER, customer_id INTEGER, order_date DATE, status VARCHAR)') });
    try {
      const models = BUNDLED_MODELS.map((p) => loadSemanticModelFile(p));
      const catalog = createCachedCatalog({ load: () => warehouse.describeCatalog(), ttlMs: 1000, origin: 'w', logger });
      const engine = createSqlEngine({ models, warehouse, limits, catalog });
      expect((await engine.validate('SELECT customer_id FROM ORDERS', '', CALLER)).report).toMatchObject({ ok: true, tables: ['memory.main.ORDERS'] });
      // PRODUCTS is only in the sales model: still allowed, under its model name.
      expect((await engine.validate('SELECT category FROM PRODUCTS', '', CALLER)).report).toMatchObject({ ok: true, tables: ['PRODUCTS'] });
    } finally {
      await warehouse.close();
    }
  });
});
