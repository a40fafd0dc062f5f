// The default warehouse: a local DuckDB file (SOPHIA_WAREHOUSE_PATH). Tables are created on open;
// a batch is one transaction: its rows are appended (DuckDB's appender) to a constraint-free temporary
// staging table, then moved with one INSERT OR IGNORE … SELECT keyed by request id / audit id, so a
// redelivered batch adds nothing. DuckDB allows one writing process per file.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ADDED_USAGE_COLUMNS, AUDIT_COLUMNS, auditRow, uniqueBy, USAGE_COLUMNS, usageRow, type Warehouse } from './warehouse.ts';

const USAGE_DDL = `CREATE TABLE IF NOT EXISTS usage_events (
  request_id VARCHAR PRIMARY KEY, tenant VARCHAR NOT NULL, model VARCHAR NOT NULL, backend VARCHAR NOT NULL,
  tier VARCHAR NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,
  cost_micro_usd BIGINT NOT NULL, catalog_version VARCHAR NOT NULL, time_ms BIGINT NOT NULL,
  latency_ms BIGINT NOT NULL, fallback BOOLEAN NOT NULL, completed BOOLEAN NOT NULL,
  workload_tag VARCHAR NOT NULL, target VARCHAR NOT NULL, api_key VARCHAR NOT NULL,
  cache_hit BOOLEAN NOT NULL, cache_saved_micro_usd BIGINT NOT NULL, cached_prompt_tokens BIGINT NOT NULL)`;
const AUDIT_DDL = `CREATE TABLE IF NOT EXISTS audit (
  audit_id VARCHAR PRIMARY KEY, time_ms BIGINT NOT NULL, actor VARCHAR NOT NULL, action VARCHAR NOT NULL,
  subject VARCHAR NOT NULL, details VARCHAR NOT NULL)`;

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

// Staging tables: same columns, no constraints, private to this connection (TEMP).
const USAGE_STAGE = 'usage_events_stage';
const AUDIT_STAGE = 'audit_stage';

/**
 * Moves rows into `table`, skipping ids it already holds. Appending costs microseconds a row where a
 * bound multi-row VALUES list cost about 0.2 ms a row (DuckDB plans every parameter); integers are
 * appended as BIGINT, as the columns are.
 */
async function insertIgnore(con: DuckDBConnection, table: string, stage: string, columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | boolean>>): Promise<void> {
  if (rows.length === 0) return;
  const appender = await con.createAppender(stage, 'main', 'temp');
  try {
    for (const row of rows) {
      for (const v of row) {
        if (typeof v === 'number') appender.appendBigInt(BigInt(v));
        else if (typeof v === 'boolean') appender.appendBoolean(v);
        else appender.appendVarchar(v);
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const list = columns.join(', ');
  await con.run(`INSERT OR IGNORE INTO ${table} (${list}) SELECT ${list} FROM temp.main.${stage}`);
  await con.run(`DELETE FROM temp.main.${stage}`);
}

/** Opens (creating if needed) the DuckDB file at `path`; `:memory:` for a throwaway one. */
export async function createDuckDbWarehouse(path: string): Promise<DuckDbWarehouse> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const instance = await DuckDBInstance.create(path);
  const con = await instance.connect();
  await con.run(USAGE_DDL);
  // A file written before a column existed gains it, its old rows reading the default.
  for (const c of ADDED_USAGE_COLUMNS) await con.run(`ALTER TABLE usage_events ADD COLUMN IF NOT EXISTS ${c.name} ${c.type} DEFAULT ${c.default}`);
  await con.run(AUDIT_DDL);
  await con.run(`CREATE TEMP TABLE ${USAGE_STAGE} AS SELECT ${USAGE_COLUMNS.join(', ')} FROM usage_events LIMIT 0`);
  await con.run(`CREATE TEMP TABLE ${AUDIT_STAGE} AS SELECT ${AUDIT_COLUMNS.join(', ')} FROM audit LIMIT 0`);
  let closed = false;
  return {
    async write(batch) {
      if (batch.usage.length === 0 && batch.audit.length === 0) return;
      await con.run('BEGIN TRANSACTION');
      try {
        await insertIgnore(con, 'usage_events', USAGE_STAGE, USAGE_COLUMNS, uniqueBy(batch.usage, (r) => r.requestId).map(usageRow));
        await insertIgnore(con, 'audit', AUDIT_STAGE, AUDIT_COLUMNS, uniqueBy(batch.audit, (a) => a.auditId).map(auditRow));
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
