// FleetStore in the embedded SQLite state file (@sophia/state-store): instances as JSON rows with
// their state indexed, and an append-only audit table. Each write is one fsynced transaction.
import type { DatabaseSync } from 'node:sqlite';
import { transaction, type StoreSchema } from '@sophia/state-store';
import type { FleetAuditEntry, FleetInstance, FleetStore } from './fleet-store.ts';

/** The fleet's tables in the shared state file. */
export const FLEET_STORE_SCHEMA: StoreSchema = {
  name: 'gpu-fleet',
  migrations: [
    {
      version: 1,
      sql: `CREATE TABLE fleet_instances (id TEXT PRIMARY KEY, state TEXT NOT NULL, launched_at INTEGER NOT NULL, json TEXT NOT NULL) STRICT;
            CREATE INDEX fleet_instances_live ON fleet_instances (state, launched_at);
            CREATE TABLE fleet_audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, json TEXT NOT NULL) STRICT;`,
    },
  ],
};

/** A FleetStore over a migrated state database (`openDataDir(…, [FLEET_STORE_SCHEMA])`). */
export function createSqliteFleetStore(db: DatabaseSync): FleetStore {
  const put = db.prepare('INSERT INTO fleet_instances (id, state, launched_at, json) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, json = excluded.json');
  const live = db.prepare("SELECT json FROM fleet_instances WHERE state <> 'terminated' ORDER BY launched_at, id");
  const get = db.prepare('SELECT json FROM fleet_instances WHERE id = ?');
  const append = db.prepare('INSERT INTO fleet_audit (at, json) VALUES (?, ?)');
  const recent = db.prepare('SELECT json FROM fleet_audit ORDER BY seq DESC LIMIT ?');
  const parse = <T>(row: unknown): T => JSON.parse((row as { json: string }).json) as T;
  return {
    liveInstances: () => Promise.resolve(live.all().map((r) => parse<FleetInstance>(r))),
    putInstance(instance) {
      transaction(db, () => put.run(instance.id, instance.state, instance.launchedAt, JSON.stringify(instance)));
      return Promise.resolve();
    },
    getInstance(id) {
      const row = get.get(id);
      return Promise.resolve(row === undefined ? undefined : parse<FleetInstance>(row));
    },
    appendAudit(entry) {
      transaction(db, () => append.run(entry.at, JSON.stringify(entry)));
      return Promise.resolve();
    },
    recentAudit: (limit) => Promise.resolve(recent.all(limit).map((r) => parse<FleetAuditEntry>(r))),
    close: () => Promise.resolve(),
  };
}
