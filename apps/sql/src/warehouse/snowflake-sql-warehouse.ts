// Snowflake warehouse for the SQL service. Written against the small part of snowflake-sdk it uses
// (a generic-pool of connections; execute with streamResult/describeOnly/parameters; statement
// columns, streamRows, cancel), so it is tested against an in-process stand-in and the real SDK is
// loaded only when SOPHIA_SQL_WAREHOUSE=snowflake.
import type { Logger } from '@sophia/platform';
import type { Catalog } from '@sophia/sql-core';
import { catalogFromInformationSchema } from './information-schema-catalog.ts';
import { QueryFailedError, QueryTimeoutError, type Cell, type SqlWarehouse, type WarehouseColumn } from './warehouse.ts';

/** A result column as snowflake-sdk describes it. */
export interface SnowflakeColumnLike {
  getName(): string;
  getType(): string;
  getScale?(): number;
}

/** A running statement. */
export interface SnowflakeStatementLike {
  getColumns(): SnowflakeColumnLike[] | undefined;
  streamRows(): AsyncIterable<unknown>;
  cancel(callback?: (err: Error | undefined) => void): void;
}

/** The execute options the adapter uses. */
export interface SnowflakeExecuteOptions {
  readonly sqlText: string;
  readonly streamResult?: boolean;
  readonly describeOnly?: boolean;
  readonly rowMode?: 'array';
  readonly fetchAsString?: string[];
  readonly parameters?: Record<string, string | number>;
  readonly complete: (err: (Error & { code?: string | number }) | undefined, statement: SnowflakeStatementLike, rows: unknown[] | undefined) => void;
}

/** The subset of snowflake-sdk's Connection the adapter calls. */
export interface SnowflakeConnectionLike {
  execute(options: SnowflakeExecuteOptions): SnowflakeStatementLike;
}

/** The subset of snowflake-sdk's pool (generic-pool) the adapter calls. */
export interface SnowflakePoolLike {
  acquire(): Promise<SnowflakeConnectionLike>;
  release(connection: SnowflakeConnectionLike): Promise<void>;
  drain(): Promise<void>;
  clear(): Promise<void>;
}

/** Snowflake's "statement reached its statement or warehouse timeout" error code. */
const TIMEOUT_CODE = '000630';

function toCell(value: unknown, type: string, scale: number): Cell {
  if (value === null || value === undefined) return null;
  if (type === 'fixed' && scale === 0) return BigInt(String(value));
  if (type === 'real') return Number(value);
  if (type === 'boolean') return value === true || value === 'true' || value === 'TRUE';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function typeName(c: SnowflakeColumnLike): string {
  const t = c.getType();
  const scale = c.getScale?.() ?? 0;
  return t === 'fixed' ? `NUMBER(38,${scale})` : t.toUpperCase();
}

/** Options for {@link createSnowflakeSqlWarehouse}. */
export interface SnowflakeSqlWarehouseOptions {
  readonly pool: SnowflakePoolLike;
  /** "snowflake:<account>/<database>.<schema>" */
  readonly description: string;
  /** The database whose INFORMATION_SCHEMA describeCatalog reads (SNOWFLAKE_DATABASE). */
  readonly database: string;
}

/** A database name as it must be written: bare when it is an unquoted identifier (Snowflake upper-cases it), else quoted. */
export function snowflakeDatabaseRef(database: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(database) ? database : `"${database.replaceAll('"', '""')}"`;
}

/** The INFORMATION_SCHEMA statements describeCatalog runs (exported for the stand-in in tests). */
export function snowflakeCatalogSql(database: string): { readonly columns: string; readonly tables: string } {
  const db = snowflakeDatabaseRef(database);
  return {
    columns: `SELECT TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COMMENT FROM ${db}.INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA' ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
    tables: `SELECT TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, COMMENT FROM ${db}.INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'`,
  };
}

function executeAsync(con: SnowflakeConnectionLike, options: Omit<SnowflakeExecuteOptions, 'complete'>, onStatement?: (s: SnowflakeStatementLike) => void): Promise<SnowflakeStatementLike> {
  return new Promise((resolve, reject) => {
    const statement = con.execute({
      ...options,
      complete: (err, stmt) => (err ? reject(err) : resolve(stmt)),
    });
    onStatement?.(statement);
  });
}

/**
 * Runs validated statements on Snowflake: a pooled connection per statement, the statement timeout
 * and QUERY_TAG as per-statement session parameters (plus a client-side cancel at the same
 * deadline), numbers and dates fetched as strings (exact), rows streamed and cut at `maxRows`,
 * `describeOnly` for the compile check of LLM proposals.
 */
export function createSnowflakeSqlWarehouse(options: SnowflakeSqlWarehouseOptions): SqlWarehouse {
  const { pool } = options;
  return {
    description: options.description,
    async *query(sql, q) {
      const con = await pool.acquire();
      let statement: SnowflakeStatementLike | undefined;
      let timedOut = false;
      const cancel = (): void => statement?.cancel(() => undefined);
      const timer = setTimeout(() => {
        timedOut = true;
        cancel();
      }, q.timeoutMs);
      q.signal?.addEventListener('abort', cancel, { once: true });
      try {
        const stmt = await executeAsync(
          con,
          {
            sqlText: sql,
            streamResult: true,
            rowMode: 'array',
            fetchAsString: ['Number', 'Date', 'JSON', 'Buffer'],
            parameters: { STATEMENT_TIMEOUT_IN_SECONDS: Math.max(1, Math.ceil(q.timeoutMs / 1000)), QUERY_TAG: q.tag ?? 'sophia-sql' },
          },
          (s) => (statement = s),
        );
        const cols = stmt.getColumns() ?? [];
        const columns: WarehouseColumn[] = cols.map((c) => ({ name: c.getName(), type: typeName(c) }));
        yield { kind: 'header', columns };
        let rowCount = 0;
        let truncated = false;
        let batch: Cell[][] = [];
        for await (const raw of stmt.streamRows()) {
          if (rowCount >= q.maxRows) {
            truncated = true;
            cancel();
            break;
          }
          const values = raw as unknown[];
          batch.push(cols.map((c, i) => toCell(values[i], c.getType(), c.getScale?.() ?? 0)));
          rowCount++;
          if (batch.length >= 500) {
            yield { kind: 'rows', rows: batch };
            batch = [];
          }
        }
        if (batch.length > 0) yield { kind: 'rows', rows: batch };
        yield { kind: 'end', rowCount, truncated };
      } catch (err) {
        const e = err as Error & { code?: string | number };
        if (timedOut || String(e.code ?? '') === TIMEOUT_CODE) throw new QueryTimeoutError(`statement exceeded its ${q.timeoutMs} ms timeout and was cancelled`);
        if (q.signal?.aborted) throw err;
        throw new QueryFailedError(`snowflake: ${e.message}`);
      } finally {
        clearTimeout(timer);
        q.signal?.removeEventListener('abort', cancel);
        await pool.release(con);
      }
    },
    async check(sql) {
      const con = await pool.acquire();
      try {
        await executeAsync(con, { sqlText: sql, describeOnly: true });
        return undefined;
      } catch (err) {
        return `snowflake: ${(err as Error).message}`;
      } finally {
        await pool.release(con);
      }
    },
    async describeCatalog(): Promise<Catalog> {
      const sql = snowflakeCatalogSql(options.database);
      const con = await pool.acquire();
      try {
        const read = async (sqlText: string): Promise<string[][]> => {
          const stmt = await executeAsync(con, { sqlText, streamResult: true, rowMode: 'array', parameters: { QUERY_TAG: 'sophia-sql:catalog' } });
          const rows: string[][] = [];
          for await (const raw of stmt.streamRows()) rows.push((raw as unknown[]).map((v) => (v === null || v === undefined ? '' : String(v))));
          return rows;
        };
        const columns = (await read(sql.columns)).map((r) => ({ database: r[0]!, schema: r[1]!, table: r[2]!, column: r[3]!, type: r[4]!, comment: r[5] }));
        const tables = (await read(sql.tables)).map((r) => ({ database: r[0]!, schema: r[1]!, table: r[2]!, comment: r[3] }));
        return catalogFromInformationSchema({ columns, tables }).catalog;
      } catch (err) {
        throw new QueryFailedError(`snowflake: INFORMATION_SCHEMA of ${options.database}: ${(err as Error).message}`);
      } finally {
        await pool.release(con);
      }
    },
    async close() {
      await pool.drain();
      await pool.clear();
    },
  };
}

/** The Snowflake settings (validated by the service config). */
export interface SnowflakeSettings {
  readonly SNOWFLAKE_ACCOUNT?: string | undefined;
  readonly SNOWFLAKE_USER?: string | undefined;
  readonly SNOWFLAKE_PRIVATE_KEY_PATH?: string | undefined;
  readonly SNOWFLAKE_PRIVATE_KEY_PASSPHRASE?: string | undefined;
  readonly SNOWFLAKE_WAREHOUSE?: string | undefined;
  readonly SNOWFLAKE_DATABASE?: string | undefined;
  readonly SNOWFLAKE_SCHEMA?: string | undefined;
  readonly SNOWFLAKE_ROLE?: string | undefined;
  readonly SOPHIA_SQL_SNOWFLAKE_POOL_MAX: number;
}

/**
 * snowflake-sdk probes cloud metadata endpoints (AWS/Azure/GCP instance metadata) for telemetry as
 * soon as it is loaded. That is network traffic to addresses the service has no business calling;
 * it is off unless the operator sets SNOWFLAKE_DISABLE_PLATFORM_DETECTION=false. The SDK only reads
 * the variable, at load time, so it must be set before the import.
 */
export function disableSnowflakePlatformProbes(): void {
  process.env['SNOWFLAKE_DISABLE_PLATFORM_DETECTION'] ??= 'true';
}

/** Loads snowflake-sdk and opens a key-pair (JWT) authenticated pool. */
export async function openSnowflakeSqlWarehouse(settings: SnowflakeSettings, logger: Logger): Promise<SqlWarehouse> {
  disableSnowflakePlatformProbes();
  const sdk = (await import('snowflake-sdk')).default;
  sdk.configure({ logLevel: 'ERROR' });
  const pool = sdk.createPool(
    {
      account: settings.SNOWFLAKE_ACCOUNT!,
      username: settings.SNOWFLAKE_USER!,
      authenticator: 'SNOWFLAKE_JWT',
      privateKeyPath: settings.SNOWFLAKE_PRIVATE_KEY_PATH!,
      ...(settings.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE ? { privateKeyPass: settings.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE } : {}),
      warehouse: settings.SNOWFLAKE_WAREHOUSE!,
      database: settings.SNOWFLAKE_DATABASE!,
      schema: settings.SNOWFLAKE_SCHEMA!,
      ...(settings.SNOWFLAKE_ROLE ? { role: settings.SNOWFLAKE_ROLE } : {}),
      application: 'sophia-sql',
    },
    { max: settings.SOPHIA_SQL_SNOWFLAKE_POOL_MAX, min: 0, evictionRunIntervalMillis: 60_000, idleTimeoutMillis: 300_000 },
  );
  logger.info({ account: settings.SNOWFLAKE_ACCOUNT, database: settings.SNOWFLAKE_DATABASE, schema: settings.SNOWFLAKE_SCHEMA }, 'snowflake pool created (key-pair auth)');
  return createSnowflakeSqlWarehouse({ pool: pool as unknown as SnowflakePoolLike, description: `snowflake:${settings.SNOWFLAKE_ACCOUNT}/${settings.SNOWFLAKE_DATABASE}.${settings.SNOWFLAKE_SCHEMA}`, database: settings.SNOWFLAKE_DATABASE! });
}
