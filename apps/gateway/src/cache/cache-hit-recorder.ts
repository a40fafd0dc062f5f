// Makes a cache hit's usage as durable as the router's: the record is kept in the gateway's usage
// outbox before the hit is served, handed to the ledger in the background, and removed only once the
// ledger acknowledged it; a ledger that cannot take it now gets it again from the replay loop (also
// after a gateway restart, and from any replica when the outbox is in Redis).
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { UsageEventSchema, type LedgerService, type UsageEvent } from '@sophia/contracts/ledger';
import type { Logger } from '@sophia/platform';
import { cacheHitUsageEvent } from './cache-hit-usage.ts';
import type { CacheHit } from './cached-router.ts';
import type { UsageOutbox } from './usage-outbox.ts';

/** Options for {@link createCacheHitRecorder}. */
export interface CacheHitRecorderOptions {
  readonly ledger: Client<typeof LedgerService>;
  readonly outbox: UsageOutbox;
  readonly logger: Logger;
  /** Pause before replaying after the ledger did not take a record. @default 1000 */
  readonly retryMs?: number;
  /** How often the outbox is swept for entries nobody is replaying (another replica's, a previous run's). @default 30000 */
  readonly sweepMs?: number;
  /** Per-call deadline of RecordUsage. @default 2000 */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** Records cache hits for the ledger; `record` resolves once the hit's usage is kept. */
export interface CacheHitRecorder {
  /** @throws when the outbox cannot keep the record (the hit must then not be served) */
  record(hit: CacheHit): Promise<void>;
  /** Stops the replay loop (kept entries stay for the next start). */
  close(): void;
}

/** Codes that mean "the ledger did not take it now", not "the ledger refused it" (as the router's commit outbox). */
const RETRYABLE = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Unknown, Code.Aborted, Code.Canceled, Code.ResourceExhausted, Code.Internal]);

/** A recorder over `outbox`; its replay loop starts at once (entries left by an earlier run). */
export function createCacheHitRecorder(options: CacheHitRecorderOptions): CacheHitRecorder {
  const { ledger, outbox, logger } = options;
  const timeoutMs = options.timeoutMs ?? 2000;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let replaying = false;

  /** Hands one record to the ledger: true when it is settled (taken, or refused for good), false to retry later. */
  const deliver = async (requestId: string, event: UsageEvent): Promise<boolean> => {
    try {
      await ledger.recordUsage({ event }, { timeoutMs });
    } catch (err) {
      const ce = ConnectError.from(err);
      if (RETRYABLE.has(ce.code)) return false;
      logger.error({ requestId, code: Code[ce.code], err: ce.rawMessage }, 'ledger refused a cache hit record: dropped from the usage outbox');
    }
    await outbox.remove(requestId);
    return true;
  };

  const schedule = (): void => {
    if (closed || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void replay();
    }, options.retryMs ?? 1000);
  };

  const replay = async (): Promise<void> => {
    if (replaying || closed) return;
    replaying = true;
    try {
      for (let batch = await outbox.head(50); batch.length > 0; batch = await outbox.head(50)) {
        for (const entry of batch) {
          if (!(await deliver(entry.requestId, fromBinary(UsageEventSchema, entry.event)))) return schedule();
        }
      }
    } catch (err) {
      logger.warn({ err }, 'usage outbox replay failed: retried');
      schedule();
    } finally {
      replaying = false;
    }
  };

  const sweep = setInterval(() => void replay(), options.sweepMs ?? 30_000);
  sweep.unref();
  void replay();

  return {
    async record(hit) {
      const event = create(UsageEventSchema, cacheHitUsageEvent(hit, (options.now ?? Date.now)()));
      await outbox.add({ requestId: event.requestId, event: toBinary(UsageEventSchema, event) });
      void deliver(event.requestId, event)
        .then((settled) => {
          if (!settled) {
            logger.warn({ requestId: event.requestId }, 'ledger unreachable: cache hit usage kept in the usage outbox, replayed when it returns');
            schedule();
          }
        })
        .catch((err: unknown) => (logger.warn({ err, requestId: event.requestId }, 'cache hit usage left in the usage outbox'), schedule()));
    },
    close() {
      closed = true;
      clearInterval(sweep);
      if (timer) clearTimeout(timer);
    },
  };
}
