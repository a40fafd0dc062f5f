// A store's schema as a numbered list of migrations. Each store (usage, budgets, overrides, …) owns its
// tables and its version, recorded in the shared `store_schema` table, so stores added by different
// services evolve independently in the one file.
import type { DatabaseSync } from 'node:sqlite';
import { StateStoreError } from './state-store-error.ts';

/** One schema step; `version` numbers run 1, 2, 3, … without gaps. */
export interface StoreMigration {
  readonly version: number;
  /** SQL run inside the migration's transaction (several statements allowed). */
  readonly sql: string;
}

/** A store's name (unique in the file) and its migrations in order. */
export interface StoreSchema {
  readonly name: string;
  readonly migrations: readonly StoreMigration[];
}

const SCHEMA_TABLE = 'CREATE TABLE IF NOT EXISTS store_schema (store TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT';

/** The version a store is at in `db` (0 = never migrated). */
export function schemaVersion(db: DatabaseSync, store: string): number {
  db.exec(SCHEMA_TABLE);
  const row = db.prepare('SELECT version FROM store_schema WHERE store = ?').get(store) as { version: number } | undefined;
  return row?.version ?? 0;
}

function checkMigrations(schema: StoreSchema): void {
  schema.migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`store '${schema.name}': migration ${i + 1} is numbered ${m.version} (versions must run 1, 2, 3, …)`);
  });
}

/**
 * Brings one store up to its latest version, each step in its own IMMEDIATE transaction (so two
 * processes opening the same file migrate once). Returns the version reached.
 * @throws StateStoreError `newer_schema` when the file is ahead of this build, `migration_failed` when a step fails
 */
export function migrate(db: DatabaseSync, schema: StoreSchema, path: string): number {
  checkMigrations(schema);
  const latest = schema.migrations.length;
  for (;;) {
    db.exec('BEGIN IMMEDIATE');
    let current: number;
    try {
      current = schemaVersion(db, schema.name);
      if (current > latest) {
        throw new StateStoreError(
          'newer_schema',
          `state file ${path}: store '${schema.name}' is at schema version ${current}, this build knows up to ${latest} — a newer Sophia wrote it; run that version, or restore a backup from before the upgrade (the file is left untouched)`,
        );
      }
      const next = schema.migrations[current];
      if (next === undefined) {
        db.exec('COMMIT');
        return current;
      }
      try {
        db.exec(next.sql);
      } catch (error) {
        throw new StateStoreError('migration_failed', `state file ${path}: migrating store '${schema.name}' to version ${next.version} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      db.prepare('INSERT INTO store_schema (store, version) VALUES (?, ?) ON CONFLICT (store) DO UPDATE SET version = excluded.version').run(schema.name, next.version);
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
}
