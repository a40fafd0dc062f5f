// The router's outbox for usage the ledger could not take (ledger restarting, unreachable): the
// Commit request, as protobuf bytes, in the embedded state file before the client's answer ends;
// replayed in order when the ledger is back and deleted only after it acknowledged. Exactly once:
// the ledger records idempotently by request id, so a replay of a commit it already has is a no-op.
import type { DatabaseSync } from 'node:sqlite';
import type { StoreSchema } from '@sophia/state-store';

/** Schema of the outbox; append a migration to change it. */
export const COMMIT_OUTBOX_SCHEMA: StoreSchema = {
  name: 'router-commit-outbox',
  migrations: [
    {
      version: 1,
      sql: `CREATE TABLE router_commit_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL UNIQUE,
        request BLOB NOT NULL
      ) STRICT;`,
    },
  ],
};

/** One kept Commit. */
export interface OutboxEntry {
  readonly requestId: string;
  readonly request: Uint8Array;
}

/** The outbox's operations (each one statement, so atomic on its own). */
export interface CommitOutbox {
  /** Keeps a Commit (a second one for the same request id is ignored: the first stands). */
  add(requestId: string, request: Uint8Array): void;
  /** The oldest `limit` entries. */
  head(limit: number): OutboxEntry[];
  remove(requestId: string): void;
  size(): number;
}

/** The outbox on `db` (COMMIT_OUTBOX_SCHEMA migrated). */
export function createCommitOutbox(db: DatabaseSync): CommitOutbox {
  const insert = db.prepare('INSERT INTO router_commit_outbox (request_id, request) VALUES (?, ?) ON CONFLICT (request_id) DO NOTHING');
  const head = db.prepare('SELECT request_id, request FROM router_commit_outbox ORDER BY seq LIMIT ?');
  const remove = db.prepare('DELETE FROM router_commit_outbox WHERE request_id = ?');
  const count = db.prepare('SELECT count(*) AS n FROM router_commit_outbox');
  return {
    add(requestId, request) {
      insert.run(requestId, request);
    },
    head(limit) {
      return (head.all(limit) as Array<{ request_id: string; request: Uint8Array }>).map((row) => ({ requestId: row.request_id, request: row.request }));
    },
    remove(requestId) {
      remove.run(requestId);
    },
    size() {
      return (count.get() as { n: number }).n;
    },
  };
}
