import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configValues } from '@sophia/platform';

export const SQL_PORT_KEY = 'SOPHIA_SQL_PORT';
export const SQL_DEFAULT_PORT = 50056;

const bundled = (f: string): string => fileURLToPath(new URL(`../models/${f}`, import.meta.url));
/** The semantic models shipped with the service (demo sales + the ledger's usage events). */
export const BUNDLED_MODELS = ['sales.yaml', 'usage.yaml'].map(bundled);
/** The bundled models when usage is mirrored from the ledger (embedded DuckDB with SOPHIA_LEDGER_ADDR). */
export const BUNDLED_MODELS_LEDGER_MIRROR = ['sales.yaml', 'usage-ledger.yaml'].map(bundled);

/** Every key the SQL service reads (besides the shared ones); documented in README.md. */
export const sqlConfigSchema = z
  .object({
    /** Comma-separated semantic model YAML files. @default the bundled sales and usage models */
    SOPHIA_SQL_MODELS: configValues.list().optional(),
    /** duckdb (embedded) or snowflake. @default duckdb */
    SOPHIA_SQL_WAREHOUSE: z.enum(['duckdb', 'snowflake']).default('duckdb'),
    /** DuckDB file, or :memory:. @default :memory: */
    SOPHIA_SQL_DUCKDB_PATH: z.string().min(1).default(':memory:'),
    /** Create and fill the demo sales tables (and an empty USAGE_EVENTS) in DuckDB at start. @default true */
    SOPHIA_SQL_DEMO_DATA: configValues.flag(true),
    /**
     * The catalog the validator allows for caller and LLM SQL (empty scope): `warehouse` reads the
     * warehouse's INFORMATION_SCHEMA (cached), anything else is a JSON catalog file. @default warehouse
     */
    SOPHIA_SQL_CATALOG: z.string().trim().min(1).default('warehouse'),
    /** How long the INFORMATION_SCHEMA catalog is cached before a lazy reload. @default 300000 */
    SOPHIA_SQL_CATALOG_TTL_MS: configValues.durationMs(300_000),
    /**
     * The ledger: with the embedded DuckDB warehouse, usage questions read the ledger's usage through its
     * QueryUsage RPC (mirrored into USAGE_DAILY; the ledger owns its own warehouse file). Unset = an empty USAGE_EVENTS.
     */
    SOPHIA_LEDGER_ADDR: configValues.address().optional(),
    /** Age after which the usage mirror is refreshed from the ledger, before the next usage statement. @default 5000 */
    SOPHIA_SQL_USAGE_MAX_AGE_MS: configValues.durationMs(5_000),
    /** The router, for questions no semantic model covers; unset = no LLM path. */
    SOPHIA_ROUTER_ADDR: configValues.address().optional(),
    /** LLM repair rounds after the first proposal. @default 2 */
    SOPHIA_SQL_MAX_REPAIRS: z.coerce.number().int().min(0).max(5).default(2),
    SOPHIA_SQL_ROW_LIMIT: z.coerce.number().int().min(1).default(1000),
    SOPHIA_SQL_MAX_ROW_LIMIT: z.coerce.number().int().min(1).default(10_000),
    SOPHIA_SQL_TIMEOUT_MS: configValues.durationMs(30_000),
    SOPHIA_SQL_MAX_TIMEOUT_MS: configValues.durationMs(300_000),
    SNOWFLAKE_ACCOUNT: z.string().min(1).optional(),
    SNOWFLAKE_USER: z.string().min(1).optional(),
    /** PEM file of the key-pair (JWT) auth private key. */
    SNOWFLAKE_PRIVATE_KEY_PATH: z.string().min(1).optional(),
    SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: z.string().optional(),
    SNOWFLAKE_WAREHOUSE: z.string().min(1).optional(),
    SNOWFLAKE_DATABASE: z.string().min(1).optional(),
    SNOWFLAKE_SCHEMA: z.string().min(1).optional(),
    SNOWFLAKE_ROLE: z.string().min(1).optional(),
    /** Snowflake connection pool size. @default 4 */
    SOPHIA_SQL_SNOWFLAKE_POOL_MAX: z.coerce.number().int().min(1).max(64).default(4),
  });

/** The parsed configuration. */
export type SqlConfig = z.infer<typeof sqlConfigSchema>;

/** Cross-key rules (runService merges only the schema's shape, so they are checked at start). */
export function sqlConfigProblems(c: SqlConfig): string[] {
  const problems: string[] = [];
  if (c.SOPHIA_SQL_ROW_LIMIT > c.SOPHIA_SQL_MAX_ROW_LIMIT) problems.push('SOPHIA_SQL_ROW_LIMIT: must not exceed SOPHIA_SQL_MAX_ROW_LIMIT');
  if (c.SOPHIA_SQL_TIMEOUT_MS > c.SOPHIA_SQL_MAX_TIMEOUT_MS) problems.push('SOPHIA_SQL_TIMEOUT_MS: must not exceed SOPHIA_SQL_MAX_TIMEOUT_MS');
  if (c.SOPHIA_SQL_WAREHOUSE === 'snowflake') {
    for (const key of ['SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER', 'SNOWFLAKE_PRIVATE_KEY_PATH', 'SNOWFLAKE_WAREHOUSE', 'SNOWFLAKE_DATABASE', 'SNOWFLAKE_SCHEMA'] as const) {
      if (c[key] === undefined) problems.push(`${key}: required when SOPHIA_SQL_WAREHOUSE=snowflake`);
    }
  }
  return problems;
}
