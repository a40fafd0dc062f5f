// Runs synchronous work as one write transaction. node:sqlite is synchronous, so nothing else on the
// event loop can interleave between BEGIN and COMMIT; IMMEDIATE takes the write lock up front so a
// second process sharing the file waits (busy timeout) instead of failing at commit.
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** BEGIN / COMMIT / ROLLBACK prepared once per connection: a hot path opens a transaction per request. */
interface TransactionStatements {
  readonly begin: StatementSync;
  readonly commit: StatementSync;
  readonly rollback: StatementSync;
}

const prepared = new WeakMap<DatabaseSync, TransactionStatements>();

function statementsOf(db: DatabaseSync): TransactionStatements {
  let statements = prepared.get(db);
  if (statements === undefined) {
    statements = { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK') };
    prepared.set(db, statements);
  }
  return statements;
}

/** Runs `work` inside BEGIN IMMEDIATE … COMMIT; rolls back and rethrows when it throws. */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  const { begin, commit, rollback } = statementsOf(db);
  begin.run();
  try {
    const result = work();
    commit.run();
    return result;
  } catch (error) {
    if (db.isTransaction) rollback.run();
    throw error;
  }
}
