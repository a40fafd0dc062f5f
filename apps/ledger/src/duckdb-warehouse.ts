// The default warehouse: a local DuckDB file (SOPHIA_WAREHOUSE_PATH). Tables are created on open;
// a batch is one transaction of multi-row INSERT OR IGNORE statements keyed by request id / audit id,
// so a redelivered batch adds nothing. DuckDB allows one writing process per file.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { AUDIT_COLUMNS, auditRow, uniqueBy, USAGE_COLUMNS, usageRow, type Warehouse } from './warehouse.ts';

const USAGE_DDL = `CREATE TABLE IF NOT EXISTS usage_events (
  request_id VARCHAR PRIMARY KEY, tenant VARCHAR NOT NULL, model VARCHAR NOT NULL, backend VARCHAR NOT NULL,
  tier VARCHAR NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,
  cost_micro_usd BIGINT NOT NULL, catalog_version VARCHAR NOT NULL, time_ms BIGINT NOT NULL,
  latency_ms BIGINT NOT NULL, fallback BOOLEAN NOT NULL, completed BOOLEAN NOT NULL,
  workload_tag VARCHAR NOT NULL, target VARCHAR NOT NULL, api_key VARCHAR NOT NULL)`;
const AUDIT_DDL = `CREATE TABLE IF NOT EXISTS audit (
  audit_id VARCHAR PRIMARY KEY, time_ms BIGINT NOT NULL, actor VARCHAR NOT NULL, action VARCHAR NOT NULL,
  subject VARCHAR NOT NULL, details VARCHAR NOT NULL)`;

/** Rows per INSERT statement (keeps the statement and its parameter list bounded). */
const ROWS_PER_STATEMENT = 200;

/** Totals read back from the file (tests, diagnostics). */
export interface WarehouseTotals {
  readonly requests: bigint;
  readonly costMicroUsd: bigint;
  readonly audits: bigint;
}

/** The DuckDB warehouse plus read-back helpers. */
export interface DuckDbWarehouse extends Warehouse {
  totals(): Promise<WarehouseTotals>;
  /** Runs a read-only query and returns rows as JSON-safe objects (bigint → string). */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
}

async function insertIgnore(con: DuckDBConnection, table: string, columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | boolean>>): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const placeholders = chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
    // Integers are bound as BIGINT: JS numbers would bind as DOUBLE.
    const values: DuckDBValue[] = chunk.flatMap((row) => row.map((v) => (typeof v === 'number' ? BigInt(v) : v)));
    await con.run(`INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES ${placeholders}`, values);
  }
}

/** Opens (creating if needed) the DuckDB file at `path`; `:memory:` for a throwaway one. */
export async function createDuckDbWarehouse(path: string): Promise<DuckDbWarehouse> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const instance = await DuckDBInstance.create(path);
  const con = await instance.connect();
  await con.run(USAGE_DDL);
  await con.run(AUDIT_DDL);
  let closed = false;
  return {
    async write(batch) {
      if (batch.usage.length === 0 && batch.audit.length === 0) return;
      await con.run('BEGIN TRANSACTION');
      try {
        await insertIgnore(con, 'usage_events', USAGE_COLUMNS, uniqueBy(batch.usage, (r) => r.requestId).map(usageRow));
        await insertIgnore(con, 'audit', AUDIT_COLUMNS, uniqueBy(batch.audit, (a) => a.auditId).map(auditRow));
        await con.run('COMMIT');
      } catch (error) {
        await con.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
    async totals() {
      const reader = await con.runAndReadAll(
        'SELECT (SELECT count(*) FROM usage_events) AS requests, (SELECT coalesce(sum(cost_micro_usd), 0)::BIGINT FROM usage_events) AS cost, (SELECT count(*) FROM audit) AS audits',
      );
      const row = reader.getRowObjects()[0] ?? {};
      return { requests: BigInt(String(row['requests'])), costMicroUsd: BigInt(String(row['cost'])), audits: BigInt(String(row['audits'])) };
    },
    async query(sql) {
      const reader = await con.runAndReadAll(sql);
      return reader.getRowObjectsJson() as Array<Record<string, unknown>>;
    },
    async close() {
      if (closed) return;
      closed = true;
      con.closeSync();
      instance.closeSync();
    },
  };
}
