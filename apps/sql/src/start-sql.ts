import type { Client } from '@connectrpc/connect';
import { LedgerService } from '@sophia/contracts/ledger';
import { SqlService } from '@sophia/contracts/sql';
import { RouterService } from '@sophia/contracts/router';
import { createServiceClient, serviceRegistration, type Logger, type ServiceMetrics, type StartedService } from '@sophia/platform';
import { loadCatalogFile, loadSemanticModelFile } from '@sophia/sql-core';
import { createCachedCatalog, staticCatalogSource, type CatalogSource } from './catalog-source.ts';
import { seedDemoSales } from './demo-sales.ts';
import { createRouterSqlGenerator, type SqlGenerator } from './llm-sql-generator.ts';
import { mirrorLedgerUsage, USAGE_DAILY_DDL } from './ledger-usage-mirror.ts';
import { BUNDLED_MODELS, BUNDLED_MODELS_LEDGER_MIRROR, sqlConfigProblems, type SqlConfig } from './sql-config.ts';
import { createSqlEngine } from './sql-engine.ts';
import { createSqlHandler } from './sql-handler.ts';
import { createSqlMetrics } from './sql-metrics.ts';
import { createDuckDbSqlWarehouse } from './warehouse/duckdb-sql-warehouse.ts';
import { openSnowflakeSqlWarehouse } from './warehouse/snowflake-sql-warehouse.ts';
import type { SqlWarehouse } from './warehouse/warehouse.ts';

/** The ledger's usage table (same columns as apps/ledger's DuckDB warehouse), created empty for the usage model. */
export const USAGE_EVENTS_DDL = `CREATE TABLE IF NOT EXISTS USAGE_EVENTS (
  request_id VARCHAR PRIMARY KEY, tenant VARCHAR NOT NULL, model VARCHAR NOT NULL, backend VARCHAR NOT NULL,
  tier VARCHAR NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,
  cost_micro_usd BIGINT NOT NULL, catalog_version VARCHAR NOT NULL, time_ms BIGINT NOT NULL,
  latency_ms BIGINT NOT NULL, fallback BOOLEAN NOT NULL, completed BOOLEAN NOT NULL,
  workload_tag VARCHAR NOT NULL, target VARCHAR NOT NULL, api_key VARCHAR NOT NULL)`;

/** Options for {@link startSql}. */
export interface StartSqlOptions {
  readonly config: SqlConfig;
  readonly logger: Logger;
  /** Replaces the router-backed LLM path (tests). */
  readonly generator?: SqlGenerator;
  /** The router, for questions no semantic model covers (the host's client: in process or gRPC). */
  readonly router?: Client<typeof RouterService> | undefined;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** The process's metrics; the SQL service adds its own to `registry`. */
  readonly metrics?: ServiceMetrics;
  /** Milliseconds for the catalog cache's and the usage mirror's ages. @default Date.now */
  readonly now?: () => number;
  /** The ledger for the usage mirror (an in-process client in single-process mode); default: SOPHIA_LEDGER_ADDR over gRPC. */
  readonly ledger?: Pick<Client<typeof LedgerService>, 'queryUsage'>;
}

/** SOPHIA_SQL_CATALOG: the warehouse's INFORMATION_SCHEMA (cached, loaded once here so a broken warehouse fails the start), or a JSON file. */
async function openCatalog(config: SqlConfig, warehouse: SqlWarehouse, logger: Logger, now: (() => number) | undefined): Promise<CatalogSource> {
  if (config.SOPHIA_SQL_CATALOG !== 'warehouse') {
    const catalog = loadCatalogFile(config.SOPHIA_SQL_CATALOG);
    logger.info({ catalog: config.SOPHIA_SQL_CATALOG, tables: catalog.tables.length }, 'sql catalog loaded from file');
    return staticCatalogSource(catalog, `file ${config.SOPHIA_SQL_CATALOG}`);
  }
  const source = createCachedCatalog({
    load: () => warehouse.describeCatalog(),
    ttlMs: config.SOPHIA_SQL_CATALOG_TTL_MS,
    origin: `warehouse ${warehouse.description} (INFORMATION_SCHEMA, refreshed every ${config.SOPHIA_SQL_CATALOG_TTL_MS} ms)`,
    logger,
    ...(now ? { now } : {}),
  });
  await source.current();
  return source;
}

/** Wires the SQL service from its configuration: models, warehouse (DuckDB or Snowflake), LLM path, handler. */
export async function startSql(options: StartSqlOptions): Promise<StartedService> {
  const { config, logger } = options;
  const problems = sqlConfigProblems(config);
  if (problems.length > 0) throw new Error(`invalid configuration: ${problems.join('; ')}`);
  // Embedded DuckDB cannot open the ledger's warehouse file (one writer): usage comes through the ledger's RPC.
  const ledger = config.SOPHIA_SQL_WAREHOUSE === 'duckdb' ? (options.ledger ?? (config.SOPHIA_LEDGER_ADDR ? createServiceClient(LedgerService, config.SOPHIA_LEDGER_ADDR, { defaultTimeoutMs: 10_000 }) : undefined)) : undefined;
  const models = (config.SOPHIA_SQL_MODELS ?? (ledger ? BUNDLED_MODELS_LEDGER_MIRROR : BUNDLED_MODELS)).map((path) => loadSemanticModelFile(path));
  const clock = options.clock ?? (() => new Date());
  let warehouse: SqlWarehouse;
  if (config.SOPHIA_SQL_WAREHOUSE === 'snowflake') {
    warehouse = await openSnowflakeSqlWarehouse(config, logger);
  } else {
    const duck = await createDuckDbSqlWarehouse({
      path: config.SOPHIA_SQL_DUCKDB_PATH,
      setup: async (run) => {
        if (config.SOPHIA_SQL_DEMO_DATA) {
          await seedDemoSales(run, clock());
          await run(USAGE_EVENTS_DDL);
        }
        if (ledger) await run(USAGE_DAILY_DDL);
      },
    });
    warehouse = ledger ? mirrorLedgerUsage(duck, { ledger, run: duck.run, maxAgeMs: config.SOPHIA_SQL_USAGE_MAX_AGE_MS, logger, ...(options.now ? { now: options.now } : {}) }) : duck;
  }
  const router = options.router ?? (config.SOPHIA_ROUTER_ADDR ? createServiceClient(RouterService, config.SOPHIA_ROUTER_ADDR, { defaultTimeoutMs: 60_000 }) : undefined);
  const generator = options.generator ?? (router ? createRouterSqlGenerator(router) : undefined);
  logger.info({ warehouse: warehouse.description, models: models.map((m) => m.name), llm: generator ? 'router' : 'none', usage: ledger ? 'ledger QueryUsage mirror' : 'USAGE_EVENTS table' }, 'sql service ready');
  let engine: ReturnType<typeof createSqlEngine>;
  try {
    const catalog = await openCatalog(config, warehouse, logger, options.now);
    engine = createSqlEngine({
      catalog,
      models,
      warehouse,
      generator,
      maxRepairs: config.SOPHIA_SQL_MAX_REPAIRS,
      clock,
      metrics: options.metrics ? createSqlMetrics(options.metrics.registry) : undefined,
      limits: {
        defaultRowLimit: config.SOPHIA_SQL_ROW_LIMIT,
        maxRowLimit: config.SOPHIA_SQL_MAX_ROW_LIMIT,
        defaultTimeoutMs: config.SOPHIA_SQL_TIMEOUT_MS,
        maxTimeoutMs: config.SOPHIA_SQL_MAX_TIMEOUT_MS,
      },
    });
  } catch (err) {
    await warehouse.close();
    throw err;
  }
  return { services: [serviceRegistration(SqlService, createSqlHandler(engine))], close: () => warehouse.close() };
}
