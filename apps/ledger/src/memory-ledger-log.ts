// The embedded (no Redis) ledger log: an in-process FIFO that the in-ledger warehouse sink drains.
// Entries survive a sink failure (they stay until acknowledged) but not a process crash — embedded
// mode is one replica without shared state; use Redis for a log that survives the process.
import type { LedgerLog, LogEntry } from './ledger-log.ts';
import type { AuditEntry, UsageRecord } from './usage-store.ts';

/** LedgerLog plus the append side the memory store uses. */
export interface MemoryLedgerLog extends LedgerLog {
  appendUsage(record: UsageRecord): void;
  appendAudit(entry: AuditEntry): void;
  /** Wakes a blocked `read` so a closing sink can stop. */
  interrupt(): void;
}

/** Creates an empty in-process log; a disabled log (no sink will ever read it) drops appends. */
export function createMemoryLedgerLog(enabled = true): MemoryLedgerLog {
  const entries = new Map<string, LogEntry>();
  let sequence = 0;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const append = (entry: LogEntry): void => {
    if (!enabled) return;
    entries.set(entry.id, entry);
    notify();
  };
  const nextId = (): string => `${Date.now()}-${sequence++}`;
  return {
    appendUsage: (record) => append({ id: nextId(), kind: 'usage', record }),
    appendAudit: (audit) => append({ id: nextId(), kind: 'audit', audit }),
    interrupt: notify,
    async read(count, blockMs) {
      if (entries.size === 0 && blockMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, blockMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return [...entries.values()].slice(0, count);
    },
    async ack(ids) {
      for (const id of ids) entries.delete(id);
    },
    async backlog() {
      return entries.size;
    },
  };
}
