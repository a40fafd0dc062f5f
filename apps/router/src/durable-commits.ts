// Wraps the router's ledger client so that usage is never served unrecorded: a Commit the ledger
// cannot take now (UNAVAILABLE, DEADLINE_EXCEEDED, a connection refused mid-restart) goes into the
// commit outbox before the call returns, and a replay loop hands the outbox to the ledger, oldest
// first, until it is empty. Other errors (the ledger refusing the record itself) are not retried.
// When the outbox cannot keep it either (its disk is full), the commit fails with the mesh's outage
// refusal, so the request is answered with an error instead of a success nobody recorded.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { CommitRequestSchema, CommitResponseSchema, type LedgerService } from '@sophia/contracts/ledger';
import { budgetOutageRefusal } from '@sophia/platform/wire';
import { isStorageFull } from '@sophia/state-store';
import type { CommitOutbox } from './commit-outbox.ts';

/** The little of a logger this needs (pino fits). */
export interface OutboxLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
  info(details: object, message: string): void;
}

/** Options for {@link withDurableCommits}. */
export interface DurableCommitsOptions {
  readonly ledger: Client<typeof LedgerService>;
  readonly outbox: CommitOutbox;
  readonly logger: OutboxLogger;
  /** Pause between replay rounds while the outbox holds entries. @default 500 */
  readonly retryMs?: number;
  /** Called with the outbox size after each change (a gauge). */
  readonly onSize?: (size: number) => void;
}

/** Codes that mean "the ledger did not take it now", not "the ledger refused it". */
const RETRYABLE = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Unknown, Code.Aborted, Code.Canceled, Code.ResourceExhausted, Code.Internal]);

/** The wrapped client and the replay loop's stop. */
export interface DurableCommits {
  readonly ledger: Client<typeof LedgerService>;
  /** Stops replaying (entries stay in the outbox for the next start). */
  close(): void;
}

/**
 * A ledger client whose `commit` is durable: it answers the ledger's own response, or — when the
 * ledger cannot be reached — an empty response after the Commit is in the outbox (the router then
 * uses its own price for the answer's cost). Every other method is the ledger's.
 */
export function withDurableCommits(options: DurableCommitsOptions): DurableCommits {
  const { ledger, outbox, logger } = options;
  const retryMs = options.retryMs ?? 500;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let replaying = false;

  const schedule = (): void => {
    if (closed || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void replay();
    }, retryMs);
  };

  const replay = async (): Promise<void> => {
    if (replaying || closed) return;
    replaying = true;
    try {
      for (;;) {
        const batch = outbox.head(50);
        if (batch.length === 0) return;
        for (const entry of batch) {
          try {
            await ledger.commit(fromBinary(CommitRequestSchema, entry.request), { timeoutMs: 2000 });
          } catch (err) {
            const ce = ConnectError.from(err);
            if (RETRYABLE.has(ce.code)) {
              schedule();
              return;
            }
            logger.error({ requestId: entry.requestId, code: Code[ce.code], err: ce.rawMessage }, 'ledger refused a replayed commit: dropped from the outbox');
          }
          outbox.remove(entry.requestId);
          options.onSize?.(outbox.size());
        }
        logger.info({ left: outbox.size() }, 'commit outbox: replayed into the ledger');
      }
    } finally {
      replaying = false;
    }
  };

  const durable: Client<typeof LedgerService> = Object.create(ledger) as Client<typeof LedgerService>;
  durable.commit = async (request, callOptions) => {
    try {
      return await ledger.commit(request, callOptions);
    } catch (err) {
      const ce = ConnectError.from(err);
      if (!RETRYABLE.has(ce.code)) throw err;
      const message = create(CommitRequestSchema, request);
      const requestId = message.event?.requestId || message.reservationId;
      try {
        outbox.add(requestId, toBinary(CommitRequestSchema, message));
      } catch (outboxError) {
        // Nowhere durable to keep it (the state file's disk is full, …): refuse rather than answer unrecorded.
        const full = isStorageFull(outboxError);
        logger.error({ requestId, code: Code[ce.code], err: ce.rawMessage, outboxErr: (outboxError as Error).message }, 'usage not recorded: the ledger did not take it and the commit outbox cannot keep it; the answer is refused');
        throw budgetOutageRefusal(
          `usage of request ${requestId} cannot be recorded: the ledger did not take it (${ce.rawMessage}) and the router's commit outbox cannot keep it (${(outboxError as Error).message})`,
          full ? 'store-full' : 'store-failed',
        );
      }
      options.onSize?.(outbox.size());
      logger.warn({ requestId, code: Code[ce.code], err: ce.rawMessage }, 'ledger unreachable: usage kept in the commit outbox, replayed when it returns');
      schedule();
      return create(CommitResponseSchema, { recorded: true });
    }
  };
  // Entries left by a previous run (the router was killed while the ledger was down).
  if (outbox.size() > 0) schedule();
  return {
    ledger: durable,
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
