import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, JsonDuckDBValueConverter, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { Catalog } from '@sophia/sql-core';
import { catalogFromInformationSchema } from './information-schema-catalog.ts';
import { snowflakeToDuckDb } from './snowflake-to-duckdb.ts';
import { QueryFailedError, QueryTimeoutError, type Cell, type SqlWarehouse, type WarehouseColumn } from './warehouse.ts';

/** Options for {@link createDuckDbSqlWarehouse}. */
export interface DuckDbSqlWarehouseOptions {
  /** File path, or ":memory:". */
  readonly path: string;
  /** Statements run once after opening (seeding demo data, test fixtures). */
  readonly setup?: (run: (sql: string, params?: DuckDBValue[]) => Promise<void>) => Promise<void>;
}

/** DuckDB's extra surface for tests and seeding. */
export interface DuckDbSqlWarehouse extends SqlWarehouse {
  /** Runs a statement with no result (DDL, inserts). Not for user SQL: it bypasses nothing but also validates nothing. */
  run(sql: string, params?: DuckDBValue[]): Promise<void>;
}

// User tables and views of every attached database; system/temp catalogs and the catalog schemas left out.
const COLUMNS_SQL = `SELECT table_catalog, table_schema, table_name, column_name, data_type, COLUMN_COMMENT
  FROM information_schema.columns
  WHERE table_catalog NOT IN ('system', 'temp') AND table_schema NOT IN ('information_schema', 'pg_catalog')
  ORDER BY table_catalog, table_schema, table_name, ordinal_position`;
const TABLES_SQL = `SELECT table_catalog, table_schema, table_name, TABLE_COMMENT FROM information_schema.tables
  WHERE table_catalog NOT IN ('system', 'temp') AND table_schema NOT IN ('information_schema', 'pg_catalog')`;
const PRIMARY_KEYS_SQL = `SELECT database_name, schema_name, table_name, constraint_column_names FROM duckdb_constraints()
  WHERE constraint_type = 'PRIMARY KEY'`;

async function readCatalog(con: DuckDBConnection): Promise<Catalog> {
  const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
  const columns = (await con.runAndReadAll(COLUMNS_SQL)).getRows().map((r) => ({ database: text(r[0]), schema: text(r[1]), table: text(r[2]), column: text(r[3]), type: text(r[4]), comment: text(r[5]) }));
  const tables = (await con.runAndReadAll(TABLES_SQL)).getRows().map((r) => ({ database: text(r[0]), schema: text(r[1]), table: text(r[2]), comment: text(r[3]) }));
  const primaryKeys = new Map<string, string[]>();
  for (const r of (await con.runAndReadAll(PRIMARY_KEYS_SQL)).getRowsJson()) {
    primaryKeys.set(`${text(r[0])}.${text(r[1])}.${text(r[2])}`, Array.isArray(r[3]) ? r[3].map(text) : []);
  }
  return catalogFromInformationSchema({ columns, tables, primaryKeys }).catalog;
}

/**
 * Settings applied once after setup, before any query: time zone UTC (semantic-model time ranges are
 * UTC, whatever the host's zone), no file or network access (read_csv, COPY, ATTACH, URLs), no
 * community or unsigned extensions, then the configuration locked so no statement can undo it.
 */
export const LOCKDOWN = [
  "SET GLOBAL TimeZone = 'UTC'",
  'SET enable_external_access = false',
  'SET allow_community_extensions = false',
  'SET allow_unsigned_extensions = false',
  'SET lock_configuration = true',
];

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'HUGEINT', 'UHUGEINT']);
const REAL_TYPES = new Set(['FLOAT', 'DOUBLE']);

function toCell(value: unknown, type: string): Cell {
  if (value === null || value === undefined) return null;
  if (INTEGER_TYPES.has(type)) return typeof value === 'bigint' ? value : BigInt(String(value));
  if (REAL_TYPES.has(type)) return Number(value);
  if (type === 'BOOLEAN') return value === true || value === 'true';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The embedded warehouse: one DuckDB instance, a fresh connection per statement (so a timeout
 * interrupts exactly that statement), Snowflake → DuckDB dialect translation, rows streamed chunk
 * by chunk and cut at `maxRows`. Cells come from DuckDB's JSON rendering (exact for DECIMAL and
 * dates), typed back by column type.
 */
export async function createDuckDbSqlWarehouse(options: DuckDbSqlWarehouseOptions): Promise<DuckDbSqlWarehouse> {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  // No extension is ever installed or loaded on demand (a query naming `read_parquet` must not fetch httpfs).
  const instance = await DuckDBInstance.create(options.path, { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const admin = await instance.connect();
  const run = async (sql: string, params?: DuckDBValue[]): Promise<void> => {
    await admin.run(sql, params);
  };
  if (options.setup) await options.setup(run);
  // Defence in depth behind the validator: the statements that run user-influenced SQL cannot touch
  // files, the network or extensions, and cannot change any setting (lock_configuration last).
  for (const statement of LOCKDOWN) await admin.run(statement);
  const connections = new Set<DuckDBConnection>();
  return {
    description: `duckdb:${options.path}`,
    run,
    async *query(sql, q) {
      let translated: string;
      try {
        translated = snowflakeToDuckDb(sql);
      } catch (err) {
        throw new QueryFailedError(`duckdb dialect: ${(err as Error).message}`);
      }
      const con = await instance.connect();
      connections.add(con);
      let timedOut = false;
      const interrupt = (): void => con.interrupt();
      const timer = setTimeout(() => {
        timedOut = true;
        interrupt();
      }, q.timeoutMs);
      q.signal?.addEventListener('abort', interrupt, { once: true });
      try {
        const result = await con.stream(translated);
        const columns: WarehouseColumn[] = result.columnNames().map((name, i) => ({ name, type: result.columnTypes()[i]!.toString() }));
        yield { kind: 'header', columns };
        let rowCount = 0;
        let truncated = false;
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          const rows = chunk.convertRows(JsonDuckDBValueConverter).map((r) => r.map((v, i) => toCell(v, columns[i]!.type)));
          const room = q.maxRows - rowCount;
          if (rows.length > room) {
            truncated = true;
            if (room > 0) yield { kind: 'rows', rows: rows.slice(0, room) };
            rowCount += Math.max(room, 0);
            break;
          }
          rowCount += rows.length;
          yield { kind: 'rows', rows };
        }
        yield { kind: 'end', rowCount, truncated };
      } catch (err) {
        if (timedOut) throw new QueryTimeoutError(`statement exceeded its ${q.timeoutMs} ms timeout and was interrupted`);
        if (q.signal?.aborted) throw err;
        throw new QueryFailedError(`duckdb: ${(err as Error).message.split('\n')[0]}`);
      } finally {
        clearTimeout(timer);
        q.signal?.removeEventListener('abort', interrupt);
        connections.delete(con);
        con.closeSync();
      }
    },
    async check(sql) {
      try {
        const con = await instance.connect();
        try {
          await con.run(`EXPLAIN ${snowflakeToDuckDb(sql)}`);
        } finally {
          con.closeSync();
        }
        return undefined;
      } catch (err) {
        return `duckdb: ${(err as Error).message.split('\n')[0]}`;
      }
    },
    async describeCatalog() {
      const con = await instance.connect();
      try {
        return await readCatalog(con);
      } finally {
        con.closeSync();
      }
    },
    async close() {
      for (const con of connections) con.interrupt();
      admin.closeSync();
      instance.closeSync();
    },
  };
}
