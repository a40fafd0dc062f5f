// Runs synchronous work as one write transaction. node:sqlite is synchronous, so nothing else on the
// event loop can interleave between BEGIN and COMMIT; IMMEDIATE takes the write lock up front so a
// second process sharing the file waits (busy timeout) instead of failing at commit.
import type { DatabaseSync } from 'node:sqlite';

/** Runs `work` inside BEGIN IMMEDIATE … COMMIT; rolls back and rethrows when it throws. */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
