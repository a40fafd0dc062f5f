// The Snowflake warehouse (when SOPHIA_SNOWFLAKE_ACCOUNT is set): the same tables as DuckDB, written
// with MERGE … WHEN NOT MATCHED THEN INSERT keyed by request id / audit id, so a redelivered batch
// adds nothing. Written against the small part of the snowflake-sdk Connection API it uses, so the
// adapter is tested against an in-process stand-in and the real SDK is loaded only when configured.
import { readFileSync } from 'node:fs';
import { ADDED_USAGE_COLUMNS, AUDIT_COLUMNS, auditRow, uniqueBy, USAGE_COLUMNS, usageRow, type Warehouse } from './warehouse.ts';

type Bind = string | number | boolean;

/** The subset of snowflake-sdk's Connection the adapter calls. */
export interface SnowflakeConnectionLike {
  execute(options: {
    sqlText: string;
    binds?: Bind[];
    complete: (error: Error | undefined, statement: unknown, rows: unknown[] | undefined) => void;
  }): unknown;
  destroy(callback: (error: Error | undefined) => void): unknown;
}

const USAGE_TYPES: Record<(typeof USAGE_COLUMNS)[number], string> = {
  request_id: 'VARCHAR',
  tenant: 'VARCHAR',
  model: 'VARCHAR',
  backend: 'VARCHAR',
  tier: 'VARCHAR',
  prompt_tokens: 'NUMBER(38,0)',
  completion_tokens: 'NUMBER(38,0)',
  cost_micro_usd: 'NUMBER(38,0)',
  catalog_version: 'VARCHAR',
  time_ms: 'NUMBER(38,0)',
  latency_ms: 'NUMBER(38,0)',
  fallback: 'BOOLEAN',
  completed: 'BOOLEAN',
  workload_tag: 'VARCHAR',
  target: 'VARCHAR',
  api_key: 'VARCHAR',
  cache_hit: 'BOOLEAN',
  cache_saved_micro_usd: 'NUMBER(38,0)',
  cached_prompt_tokens: 'NUMBER(38,0)',
};
const AUDIT_TYPES: Record<(typeof AUDIT_COLUMNS)[number], string> = {
  audit_id: 'VARCHAR',
  time_ms: 'NUMBER(38,0)',
  actor: 'VARCHAR',
  action: 'VARCHAR',
  subject: 'VARCHAR',
  details: 'VARCHAR',
};

/** Rows per MERGE (binds per statement stay well under Snowflake's limits). */
const ROWS_PER_MERGE = 500;

function run(connection: SnowflakeConnectionLike, sqlText: string, binds?: Bind[]): Promise<void> {
  return new Promise((resolve, reject) => {
    connection.execute({ sqlText, ...(binds ? { binds } : {}), complete: (error) => (error ? reject(error) : resolve()) });
  });
}

/** `CREATE TABLE IF NOT EXISTS` for a table of typed columns. */
export function createTableSql(table: string, types: Readonly<Record<string, string>>, key: string): string {
  const columns = Object.entries(types).map(([name, type]) => `${name} ${type} NOT NULL`);
  return `CREATE TABLE IF NOT EXISTS ${table} (${columns.join(', ')}, PRIMARY KEY (${key}))`;
}

/** The MERGE inserting `rows` rows of `columns` that are not there yet (matched on the first column). */
export function mergeSql(table: string, columns: readonly string[], rows: number): string {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const values = Array.from({ length: rows }, () => tuple).join(', ');
  const select = columns.map((c, i) => `column${i + 1} AS ${c}`).join(', ');
  const key = columns[0] ?? '';
  return (
    `MERGE INTO ${table} t USING (SELECT ${select} FROM VALUES ${values}) s ON t.${key} = s.${key} ` +
    `WHEN NOT MATCHED THEN INSERT (${columns.join(', ')}) VALUES (${columns.map((c) => `s.${c}`).join(', ')})`
  );
}

async function merge(connection: SnowflakeConnectionLike, table: string, columns: readonly string[], rows: ReadonlyArray<Bind[]>): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_MERGE) {
    const chunk = rows.slice(i, i + ROWS_PER_MERGE);
    await run(connection, mergeSql(table, columns, chunk.length), chunk.flat());
  }
}

/** A warehouse over an open Snowflake connection; creates the tables if needed. */
export async function createSnowflakeWarehouse(connection: SnowflakeConnectionLike): Promise<Warehouse> {
  await run(connection, createTableSql('usage_events', USAGE_TYPES, 'request_id'));
  await run(connection, createTableSql('audit', AUDIT_TYPES, 'audit_id'));
  // A table created before a column existed gains it, its old rows reading the default.
  for (const c of ADDED_USAGE_COLUMNS) await run(connection, `ALTER TABLE usage_events ADD COLUMN IF NOT EXISTS ${c.name} ${USAGE_TYPES[c.name]} DEFAULT ${c.default}`);
  return {
    async write(batch) {
      // Snowflake does not enforce primary keys: MERGE on the id is what keeps this idempotent, and a
      // batch must not carry an id twice (both copies would be "not matched").
      await merge(connection, 'usage_events', USAGE_COLUMNS, uniqueBy(batch.usage, (r) => r.requestId).map(usageRow));
      await merge(connection, 'audit', AUDIT_COLUMNS, uniqueBy(batch.audit, (a) => a.auditId).map(auditRow));
    },
    close: () => new Promise((resolve) => connection.destroy(() => resolve())),
  };
}

/** Key-pair (JWT) connection settings, from SOPHIA_SNOWFLAKE_* keys. */
export interface SnowflakeSettings {
  readonly account: string;
  readonly username: string;
  readonly privateKeyPath: string;
  readonly database?: string;
  readonly schema?: string;
  readonly warehouse?: string;
  readonly role?: string;
}

interface SnowflakeSdk {
  createConnection(options: Record<string, string>): SnowflakeConnectionLike & {
    connect(callback: (error: Error | undefined) => void): unknown;
  };
}

/**
 * Connects with snowflake-sdk (loaded on demand: it is only needed when Snowflake is configured).
 * @throws Error naming the missing package or the failed connection
 */
export async function connectSnowflake(settings: SnowflakeSettings): Promise<SnowflakeConnectionLike> {
  const moduleName = 'snowflake-sdk';
  let sdk: SnowflakeSdk;
  try {
    // The SDK probes cloud metadata endpoints for telemetry at load time; off unless the operator opts in.
    process.env['SNOWFLAKE_DISABLE_PLATFORM_DETECTION'] ??= 'true';
    const loaded = (await import(moduleName)) as { default?: SnowflakeSdk } & SnowflakeSdk;
    sdk = loaded.default ?? loaded;
  } catch {
    throw new Error('SOPHIA_SNOWFLAKE_ACCOUNT is set but the snowflake-sdk package is not installed');
  }
  const connection = sdk.createConnection({
    account: settings.account,
    username: settings.username,
    authenticator: 'SNOWFLAKE_JWT',
    privateKey: readFileSync(settings.privateKeyPath, 'utf8'),
    ...(settings.database ? { database: settings.database } : {}),
    ...(settings.schema ? { schema: settings.schema } : {}),
    ...(settings.warehouse ? { warehouse: settings.warehouse } : {}),
    ...(settings.role ? { role: settings.role } : {}),
  });
  await new Promise<void>((resolve, reject) =>
    connection.connect((error) => (error ? reject(new Error(`Snowflake: cannot connect to account ${settings.account}: ${error.message}`)) : resolve())),
  );
  return connection;
}
