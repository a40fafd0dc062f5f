// FleetStore in the embedded SQLite state file (@sophia/state-store): instances as JSON rows with
// their state indexed, an append-only audit table, holds per tier, a one-row controller lease, and
// the weekly demand profile (a row per tier and minute of the week, plus each tier's first and last
// minute added). Each write is one fsynced transaction.
import type { DatabaseSync } from 'node:sqlite';
import { transaction, type StoreSchema } from '@sophia/state-store';
import type { CatalogTier } from '@sophia/price-catalog';
import { MINUTES_PER_WEEK, sortHolds, weekSlot, type FleetAuditEntry, type FleetInstance, type FleetStore } from './fleet-store.ts';

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
    {
      version: 2,
      sql: `CREATE TABLE fleet_holds (tier TEXT PRIMARY KEY, count INTEGER NOT NULL, until_ms INTEGER NOT NULL) STRICT;
            CREATE TABLE fleet_lease (id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL, expires_ms INTEGER NOT NULL) STRICT;`,
    },
    {
      version: 3,
      sql: `CREATE TABLE fleet_weekly_demand (tier TEXT NOT NULL, slot INTEGER NOT NULL, requests INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, PRIMARY KEY (tier, slot)) STRICT;
            CREATE TABLE fleet_weekly_marks (tier TEXT PRIMARY KEY, first_minute INTEGER NOT NULL, last_minute INTEGER NOT NULL) STRICT;`,
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
  const putHold = db.prepare('INSERT INTO fleet_holds (tier, count, until_ms) VALUES (?, ?, ?) ON CONFLICT (tier) DO UPDATE SET count = excluded.count, until_ms = excluded.until_ms');
  // At most one row per tier (the primary key), so expired rows are simply not read.
  const holds = db.prepare('SELECT tier, count, until_ms FROM fleet_holds WHERE until_ms > ?');
  // One row; taken when free, expired or already ours — a single statement, so atomic.
  const lease = db.prepare(
    'INSERT INTO fleet_lease (id, holder, expires_ms) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms WHERE fleet_lease.holder = excluded.holder OR fleet_lease.expires_ms <= ?',
  );
  const release = db.prepare('DELETE FROM fleet_lease WHERE holder = ?');
  const mark = db.prepare('SELECT first_minute, last_minute FROM fleet_weekly_marks WHERE tier = ?');
  const putMark = db.prepare('INSERT INTO fleet_weekly_marks (tier, first_minute, last_minute) VALUES (?, ?, ?) ON CONFLICT (tier) DO UPDATE SET last_minute = excluded.last_minute');
  const addSlot = db.prepare(
    'INSERT INTO fleet_weekly_demand (tier, slot, requests, prompt_tokens, completion_tokens) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tier, slot) DO UPDATE SET requests = requests + excluded.requests, prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens',
  );
  // Two ranges of slots: the span up to the week's end and what wraps past it.
  const span = db.prepare(
    'SELECT COALESCE(SUM(requests), 0) AS r, COALESCE(SUM(prompt_tokens), 0) AS p, COALESCE(SUM(completion_tokens), 0) AS c FROM fleet_weekly_demand WHERE tier = ? AND ((slot >= ? AND slot < ?) OR slot < ?)',
  );
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
    putHold(hold) {
      transaction(db, () => putHold.run(hold.tier, hold.count, hold.untilMs));
      return Promise.resolve();
    },
    activeHolds(nowMs) {
      const rows = holds.all(nowMs) as { tier: CatalogTier; count: number; until_ms: number }[];
      return Promise.resolve(sortHolds(rows.map((r) => ({ tier: r.tier, count: r.count, untilMs: r.until_ms }))));
    },
    tryLease(holder, nowMs, ttlMs) {
      return Promise.resolve(transaction(db, () => Number(lease.run(holder, nowMs + ttlMs, nowMs).changes) === 1));
    },
    releaseLease(holder) {
      transaction(db, () => release.run(holder));
      return Promise.resolve();
    },
    addWeeklyDemand(tier, minute, demand) {
      return Promise.resolve(
        transaction(db, () => {
          const was = mark.get(tier) as { first_minute: number; last_minute: number } | undefined;
          if (was !== undefined && minute <= was.last_minute) return false;
          addSlot.run(tier, weekSlot(minute), Math.round(demand.requests), Math.round(demand.promptTokens), Math.round(demand.completionTokens));
          putMark.run(tier, was?.first_minute ?? minute, minute);
          return true;
        }),
      );
    },
    weeklyDemand(tier, fromMinute, minutes) {
      const start = weekSlot(fromMinute);
      const end = start + Math.min(minutes, MINUTES_PER_WEEK);
      const row = span.get(tier, start, Math.min(end, MINUTES_PER_WEEK), Math.max(0, end - MINUTES_PER_WEEK)) as { r: number; p: number; c: number };
      const was = mark.get(tier) as { first_minute: number } | undefined;
      return Promise.resolve({ total: { requests: row.r, promptTokens: row.p, completionTokens: row.c }, firstMinute: was?.first_minute });
    },
    close: () => Promise.resolve(),
  };
}
