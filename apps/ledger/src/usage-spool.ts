// The local spool for usage records that Redis could not take (Redis unreachable): rows in the
// embedded state file, committed before the RPC answers, replayed into Redis when it is back and
// deleted only after Redis acknowledged them. Replay is exactly once because Redis records
// idempotently by request id: a crash between Redis's answer and the delete replays a record Redis
// already has, which it reports as not recorded again. A record the replicas have not confirmed
// (SOPHIA_LEDGER_REDIS_REPLICA_ACKS) is kept too, marked `written` once Redis took it, so a replay
// knows it may already have been compacted (spooling-usage-store.ts).
import type { DatabaseSync } from 'node:sqlite';
import type { StoreSchema } from '@sophia/state-store';
import { decodeStoredRecord, encodeStoredRecord } from './stored-usage-record.ts';
import type { UsageRecord } from './usage-store.ts';

/** Schema of the spool; append a migration to change it. */
export const SPOOL_SCHEMA: StoreSchema = {
  name: 'ledger-spool',
  migrations: [
    {
      version: 1,
      sql: `CREATE TABLE ledger_spool (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL UNIQUE,
        reservation_id TEXT NOT NULL,
        json TEXT NOT NULL
      ) STRICT;`,
    },
    // 1 once Redis took the record (its replicas had not confirmed it); rows kept before this read 0.
    { version: 2, sql: 'ALTER TABLE ledger_spool ADD COLUMN written INTEGER NOT NULL DEFAULT 0;' },
  ],
};

/** A spooled record and the reservation it settles. */
export interface SpooledRecord {
  readonly record: UsageRecord;
  readonly reservationId: string;
  /** Its place in the spool (oldest first), to page on with `head`. */
  readonly seq: number;
  /** Redis took it at least once (only its replicas' confirmation is missing). */
  readonly written: boolean;
}

/** The spool's operations (each one statement, so atomic on its own). */
export interface UsageSpool {
  /** Keeps a record (a second record of the same request id is ignored: the first stands, as in Redis); `written`: Redis already took it. */
  add(record: UsageRecord, reservationId: string, written?: boolean): void;
  /** Notes that Redis took these records (their replicas' confirmation still pending). */
  markWritten(requestIds: readonly string[]): void;
  /** The oldest `limit` records, after the one at `afterSeq` when given. */
  head(limit: number, afterSeq?: number): SpooledRecord[];
  remove(requestId: string): void;
  size(): number;
}

/** The spool on `db` (SPOOL_SCHEMA migrated). */
export function createUsageSpool(db: DatabaseSync): UsageSpool {
  const insert = db.prepare('INSERT INTO ledger_spool (request_id, reservation_id, json, written) VALUES (?, ?, ?, ?) ON CONFLICT (request_id) DO UPDATE SET written = max(written, excluded.written)');
  const head = db.prepare('SELECT seq, reservation_id, json, written FROM ledger_spool WHERE seq > ? ORDER BY seq LIMIT ?');
  const written = db.prepare('UPDATE ledger_spool SET written = 1 WHERE request_id = ?');
  const remove = db.prepare('DELETE FROM ledger_spool WHERE request_id = ?');
  const count = db.prepare('SELECT count(*) AS n FROM ledger_spool');
  return {
    add(record, reservationId, wasWritten = false) {
      insert.run(record.requestId, reservationId, encodeStoredRecord(record), wasWritten ? 1 : 0);
    },
    markWritten(requestIds) {
      for (const id of requestIds) written.run(id);
    },
    head(limit, afterSeq = 0) {
      return (head.all(afterSeq, limit) as Array<{ seq: number; reservation_id: string; json: string; written: number }>).map((row) => ({
        record: decodeStoredRecord('spooled usage record', row.json),
        reservationId: row.reservation_id,
        seq: row.seq,
        written: row.written === 1,
      }));
    },
    remove(requestId) {
      remove.run(requestId);
    },
    size() {
      return (count.get() as { n: number }).n;
    },
  };
}
