// Moves the ledger log into the warehouse: read a batch (stale pending entries of crashed sinks first),
// write it idempotently, then acknowledge it. A crash between write and ack means the batch is read
// again and written again — skipped by id — so nothing is lost and nothing is counted twice.
import type { LedgerLog, LogEntry } from './ledger-log.ts';
import type { AuditEntry, UsageRecord } from './usage-store.ts';
import type { Warehouse } from './warehouse.ts';

/** The little of a logger the sink needs (pino fits). */
export interface SinkLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Options for createWarehouseSink. */
export interface WarehouseSinkOptions {
  readonly log: LedgerLog;
  readonly warehouse: Warehouse;
  readonly logger?: SinkLogger;
  /** @default 500 */
  readonly batchSize?: number;
  /** How long one read waits for new entries. @default 1000 */
  readonly blockMs?: number;
  /** Pause after a failed write before retrying. @default 1000 */
  readonly retryMs?: number;
  /**
   * After writing a batch smaller than `batchSize`, wait this long before reading again, so a steady
   * trickle of records becomes one warehouse transaction per window instead of one per record (a
   * DuckDB transaction costs about 11 ms of CPU however few rows it carries). The first record after a
   * quiet spell is still written at once; the warehouse lags the ledger by at most this much more.
   * 0 reads again at once. @default 1000
   */
  readonly batchWindowMs?: number;
  /** Called after each acknowledged batch (metrics, tests). */
  readonly onBatch?: (written: { usage: number; audit: number }) => void;
}

/** A running sink. */
export interface WarehouseSink {
  /** Stops after the batch in hand; resolves when the loop has exited. */
  stop(): Promise<void>;
  /** Resolves once the log has no unacknowledged entries (at the time of the check). */
  drained(): Promise<void>;
}

function split(entries: readonly LogEntry[]): { usage: UsageRecord[]; audit: AuditEntry[] } {
  const usage: UsageRecord[] = [];
  const audit: AuditEntry[] = [];
  for (const e of entries) {
    if (e.kind === 'usage') usage.push(e.record);
    else audit.push(e.audit);
  }
  return { usage, audit };
}

/** Starts the sink loop. */
export function createWarehouseSink(options: WarehouseSinkOptions): WarehouseSink {
  const { log, warehouse, logger } = options;
  const batchSize = options.batchSize ?? 500;
  const blockMs = options.blockMs ?? 1000;
  const retryMs = options.retryMs ?? 1000;
  const batchWindowMs = options.batchWindowMs ?? 1000;
  let running = true;
  let idleWaiters: Array<() => void> = [];
  // Ends the current batch window early (stop, drained).
  let endWindow: (() => void) | undefined;
  const waitWindow = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        endWindow = undefined;
        resolve();
      }, batchWindowMs);
      endWindow = () => {
        clearTimeout(timer);
        endWindow = undefined;
        resolve();
      };
    });

  const loop = async (): Promise<void> => {
    while (running) {
      let entries: LogEntry[];
      try {
        entries = await log.read(batchSize, blockMs);
      } catch (error) {
        if (!running) return;
        logger?.error({ err: (error as Error).message }, 'warehouse sink: reading the ledger log failed');
        await new Promise((r) => setTimeout(r, retryMs));
        continue;
      }
      if (entries.length === 0) {
        if ((await log.backlog().catch(() => 1)) === 0) {
          const waiters = idleWaiters;
          idleWaiters = [];
          for (const w of waiters) w();
        }
        continue;
      }
      const batch = split(entries);
      try {
        await warehouse.write(batch);
        await log.ack(entries.map((e) => e.id));
        options.onBatch?.({ usage: batch.usage.length, audit: batch.audit.length });
        // No window while someone waits for the log to drain (shutdown writes out what is left at once).
        if (running && batchWindowMs > 0 && entries.length < batchSize && idleWaiters.length === 0) await waitWindow();
      } catch (error) {
        // Not acknowledged: the entries stay pending and come back (this consumer or another).
        logger?.error({ err: (error as Error).message, entries: entries.length }, 'warehouse sink: write failed, will retry');
        if (running) await new Promise((r) => setTimeout(r, retryMs));
      }
    }
  };
  const done = loop();

  return {
    async stop() {
      running = false;
      endWindow?.();
      await done;
    },
    async drained() {
      if ((await log.backlog()) === 0) return;
      const idle = new Promise<void>((resolve) => idleWaiters.push(resolve));
      endWindow?.();
      await idle;
    },
  };
}
