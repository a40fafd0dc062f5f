// The ledger store tests use: the real SQLite implementation on a fresh `:memory:` database.
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { LEDGER_SCHEMA } from '../ledger-schema.ts';
import { createSqliteUsageStore, type SqliteUsageStore, type SqliteUsageStoreOptions } from '../sqlite-usage-store.ts';

/** A fresh, empty embedded ledger store in memory. */
export function memoryLedgerStore(options: SqliteUsageStoreOptions = {}): SqliteUsageStore {
  return createSqliteUsageStore(memoryStateDatabase(LEDGER_SCHEMA).db, options);
}
