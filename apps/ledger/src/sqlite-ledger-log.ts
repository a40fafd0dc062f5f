// The embedded ledger log: rows of the ledger_log table, appended in the same transaction as the
// usage record (or audit entry) they carry, deleted when the warehouse sink acknowledges them. It
// survives a crash with the state file, so the warehouse receives every acknowledged event — exactly
// once, as the warehouse skips ids it already has. One sink reads it (the data directory has one owner).
import type { DatabaseSync } from 'node:sqlite';
import { transaction } from '@sophia/state-store';
import { decodeAudit, encodeAudit, type LedgerLog, type LogEntry } from './ledger-log.ts';
import { decodeStoredRecord, encodeStoredRecord } from './stored-usage-record.ts';
import type { AuditEntry, UsageRecord } from './usage-store.ts';

/** LedgerLog plus the append side the SQLite usage store calls inside its transactions. */
export interface SqliteLedgerLog extends LedgerLog {
  /** Appends (call inside the writer's transaction); a disabled log appends nothing. */
  appendUsage(record: UsageRecord): void;
  appendAudit(entry: AuditEntry): void;
  /** Wakes a blocked `read` (after an append commits, or so a closing sink can stop). */
  interrupt(): void;
}

/**
 * The log on `db` (LEDGER_SCHEMA). `enabled` false when no sink will ever read it (appends are then
 * skipped rather than piling up on disk).
 */
export function createSqliteLedgerLog(db: DatabaseSync, enabled = true): SqliteLedgerLog {
  const append = db.prepare('INSERT INTO ledger_log (kind, json) VALUES (?, ?)');
  const head = db.prepare('SELECT seq, kind, json FROM ledger_log ORDER BY seq LIMIT ?');
  const remove = db.prepare('DELETE FROM ledger_log WHERE seq = ?');
  const count = db.prepare('SELECT count(*) AS n FROM ledger_log');
  let wake: (() => void) | undefined;
  const interrupt = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const decode = (row: { seq: number; kind: string; json: string }): LogEntry => {
    const id = String(row.seq);
    if (row.kind === 'usage') return { id, kind: 'usage', record: decodeStoredRecord(`log entry ${id}`, row.json) };
    if (row.kind === 'audit') return { id, kind: 'audit', audit: decodeAudit(id, row.json) };
    throw new Error(`log entry ${id}: unknown kind '${row.kind}'`);
  };
  return {
    appendUsage(record) {
      if (enabled) append.run('usage', encodeStoredRecord(record));
    },
    appendAudit(entry) {
      if (enabled) append.run('audit', encodeAudit(entry));
    },
    interrupt,
    async read(limit, blockMs) {
      let rows = head.all(limit) as Array<{ seq: number; kind: string; json: string }>;
      if (rows.length === 0 && blockMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, blockMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        rows = head.all(limit) as typeof rows;
      }
      return rows.map(decode);
    },
    async ack(ids) {
      transaction(db, () => {
        for (const id of ids) remove.run(Number(id));
      });
    },
    async backlog() {
      return (count.get() as { n: number }).n;
    },
  };
}
