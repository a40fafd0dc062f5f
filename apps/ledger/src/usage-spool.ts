// The local spool for usage records that Redis could not take (Redis unreachable): rows in the
// embedded state file, committed before the RPC answers, replayed into Redis when it is back and
// deleted only after Redis acknowledged them. Replay is exactly once because Redis records
// idempotently by request id: a crash between Redis's answer and the delete replays a record Redis
// already has, which it reports as not recorded again.
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
  ],
};

/** A spooled record and the reservation it settles. */
export interface SpooledRecord {
  readonly record: UsageRecord;
  readonly reservationId: string;
  /** Its place in the spool (oldest first), to page on with `head`. */
  readonly seq: number;
}

/** The spool's operations (each one statement, so atomic on its own). */
export interface UsageSpool {
  /** Keeps a record (a second record of the same request id is ignored: the first stands, as in Redis). */
  add(record: UsageRecord, reservationId: string): void;
  /** The oldest `limit` records, after the one at `afterSeq` when given. */
  head(limit: number, afterSeq?: number): SpooledRecord[];
  remove(requestId: string): void;
  size(): number;
}

/** The spool on `db` (SPOOL_SCHEMA migrated). */
export function createUsageSpool(db: DatabaseSync): UsageSpool {
  const insert = db.prepare('INSERT INTO ledger_spool (request_id, reservation_id, json) VALUES (?, ?, ?) ON CONFLICT (request_id) DO NOTHING');
  const head = db.prepare('SELECT seq, reservation_id, json FROM ledger_spool WHERE seq > ? ORDER BY seq LIMIT ?');
  const remove = db.prepare('DELETE FROM ledger_spool WHERE request_id = ?');
  const count = db.prepare('SELECT count(*) AS n FROM ledger_spool');
  return {
    add(record, reservationId) {
      insert.run(record.requestId, reservationId, encodeStoredRecord(record));
    },
    head(limit, afterSeq = 0) {
      return (head.all(afterSeq, limit) as Array<{ seq: number; reservation_id: string; json: string }>).map((row) => ({
        record: decodeStoredRecord('spooled usage record', row.json),
        reservationId: row.reservation_id,
        seq: row.seq,
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
