// Picks the warehouse from configuration: Snowflake when SOPHIA_SNOWFLAKE_ACCOUNT is set (user and
// private key path then required), else the DuckDB file at SOPHIA_WAREHOUSE_PATH (default: in the data directory).
import { join } from 'node:path';
import { prepareDataDir } from '@sophia/state-store';
import { DEFAULT_WAREHOUSE_FILE, type LedgerConfig } from './ledger-config.ts';
import { connectSnowflake, createSnowflakeWarehouse } from './snowflake-warehouse.ts';
import type { Warehouse } from './warehouse.ts';

/** Opens the configured warehouse; `description` is for the start-up log line. */
export async function openWarehouse(config: LedgerConfig): Promise<{ warehouse: Warehouse; description: string }> {
  const account = config.SOPHIA_SNOWFLAKE_ACCOUNT;
  if (account !== undefined) {
    const username = config.SOPHIA_SNOWFLAKE_USER;
    const privateKeyPath = config.SOPHIA_SNOWFLAKE_PRIVATE_KEY_PATH;
    if (username === undefined) throw new Error('SOPHIA_SNOWFLAKE_USER: is required when SOPHIA_SNOWFLAKE_ACCOUNT is set');
    if (privateKeyPath === undefined) throw new Error('SOPHIA_SNOWFLAKE_PRIVATE_KEY_PATH: is required when SOPHIA_SNOWFLAKE_ACCOUNT is set');
    const connection = await connectSnowflake({
      account,
      username,
      privateKeyPath,
      ...(config.SOPHIA_SNOWFLAKE_DATABASE ? { database: config.SOPHIA_SNOWFLAKE_DATABASE } : {}),
      ...(config.SOPHIA_SNOWFLAKE_SCHEMA ? { schema: config.SOPHIA_SNOWFLAKE_SCHEMA } : {}),
      ...(config.SOPHIA_SNOWFLAKE_WAREHOUSE ? { warehouse: config.SOPHIA_SNOWFLAKE_WAREHOUSE } : {}),
      ...(config.SOPHIA_SNOWFLAKE_ROLE ? { role: config.SOPHIA_SNOWFLAKE_ROLE } : {}),
    });
    return { warehouse: await createSnowflakeWarehouse(connection), description: `snowflake:${account}` };
  }
  const path = config.SOPHIA_WAREHOUSE_PATH ?? join(prepareDataDir(config.SOPHIA_DATA_DIR), DEFAULT_WAREHOUSE_FILE);
  try {
    // Loaded on demand: the native binding starts a background reaper as soon as it is imported.
    const { createDuckDbWarehouse } = await import('./duckdb-warehouse.ts');
    return { warehouse: await createDuckDbWarehouse(path), description: `duckdb:${path}` };
  } catch (error) {
    throw new Error(`SOPHIA_WAREHOUSE_PATH: cannot open DuckDB file ${path}: ${(error as Error).message}`);
  }
}
