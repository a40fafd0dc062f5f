// The durable log between the ledger and the warehouse: every newly recorded usage event and every
// audit entry, in order, until the warehouse sink has written it and acknowledged it. In Redis it is
// a Stream appended by the same Lua script as the record (redis-ledger-log.ts); embedded, an
// in-process queue (memory-ledger-log.ts).
import type { AuditEntry, UsageRecord } from './usage-store.ts';

/** One log entry; `id` is the log's own (stream) id, used to acknowledge it. */
export type LogEntry =
  | { readonly id: string; readonly kind: 'usage'; readonly record: UsageRecord }
  | { readonly id: string; readonly kind: 'audit'; readonly audit: AuditEntry };

/** What the warehouse sink consumes: read a batch, write it, then acknowledge it. */
export interface LedgerLog {
  /**
   * Up to `count` entries not yet acknowledged: entries another consumer took but left unacknowledged
   * for too long first (a crashed sink), then new ones, waiting up to `blockMs` when there are none.
   */
  read(count: number, blockMs: number): Promise<LogEntry[]>;
  /** Marks entries written; they leave the log. */
  ack(ids: readonly string[]): Promise<void>;
  /** Entries appended but not acknowledged (pending + unread). */
  backlog(): Promise<number>;
}

/** Audit entry as stored in the log (JSON). */
export function encodeAudit(entry: AuditEntry): string {
  return JSON.stringify({
    auditId: entry.auditId,
    timeMs: entry.timeMs,
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject,
    details: entry.details,
  });
}

/** Decodes a stored audit entry. @throws Error naming the log id when the text is not one */
export function decodeAudit(id: string, json: string): AuditEntry {
  const v = JSON.parse(json) as Record<string, unknown>;
  for (const f of ['auditId', 'actor', 'action', 'subject', 'details'] as const) {
    if (typeof v[f] !== 'string') throw new Error(`corrupt audit entry ${id}: ${f}`);
  }
  if (!Number.isSafeInteger(v['timeMs'])) throw new Error(`corrupt audit entry ${id}: timeMs`);
  return v as unknown as AuditEntry;
}
