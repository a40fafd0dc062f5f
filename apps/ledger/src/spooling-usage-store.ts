// The Redis ledger store with a local spool for when Redis is unreachable (SOPHIA_REDIS_OUTAGE).
// Records never fail for an outage: a usage record (of a request already served) that Redis cannot
// take is committed to the local spool before the RPC answers, and replayed into Redis — exactly
// once, Redis being idempotent by request id — as soon as Redis answers again. New requests follow
// the policy: `serve` grants reservations unchecked during the outage (budgets are not enforced
// until Redis returns; spend catches up on replay), `refuse` refuses them (Reserve → UNAVAILABLE
// with `sophia-outage: refuse`, which the router turns into a 503 instead of serving unreserved).
// A Redis that answers but cannot persist (MISCONF: its disk is full) refuses new requests as a full
// embedded store does (503 storage_full) and spools the records of requests already served; a Redis
// out of memory (OOM: maxmemory reached with eviction off) the same way, with its own cause (503
// storage_out_of_memory).
import type { BudgetStore, ReserveOutcome } from './budget-store.ts';
import type { PromptCalibration } from './prompt-calibration.ts';
import { ReplicaAckTimeout } from './replica-ack-barrier.ts';
import { compactionCutoff } from './usage-compaction.ts';
import type { UsageSpool } from './usage-spool.ts';
import type { RecordOutcome, UsageStore } from './usage-store.ts';

/** What to do with new requests while Redis is unreachable. */
export type RedisOutagePolicy = 'serve' | 'refuse';

/** Why a reachable Redis refuses writes: `disk` — it cannot persist them (MISCONF); `memory` — it is at maxmemory with eviction off (OOM). */
export type RedisFullKind = 'disk' | 'memory';

/**
 * Thrown by reserve when Redis answers but refuses writes — it cannot persist them (MISCONF: its disk
 * is full or failing) or it is out of memory (OOM) — under either policy: the handler maps it to the
 * mesh's `store-full` / `store-out-of-memory` refusal (503 storage_full / storage_out_of_memory), so
 * nothing new is served while the budget store cannot keep what it is told.
 */
export class RedisStoreFull extends Error {
  readonly kind: RedisFullKind;
  constructor(cause: unknown, kind: RedisFullKind = 'disk') {
    const what = kind === 'memory' ? 'is out of memory (maxmemory reached, eviction off)' : 'cannot persist writes (its disk is full or failing)';
    super(`budget store (Redis) ${what}: new requests are refused until it can: ${(cause as Error).message}`, { cause });
    this.name = 'RedisStoreFull';
    this.kind = kind;
  }
}

/**
 * Whether a reply is Redis refusing writes while up: `disk` for "cannot persist" (MISCONF: a failed RDB
 * save or AOF write, e.g. no space left on its disk), `memory` for OOM (used memory above maxmemory
 * with the noeviction policy); undefined for anything else.
 */
export function redisFullKind(error: unknown): RedisFullKind | undefined {
  const { name, message } = error as { name?: string; message?: string };
  if (name !== 'ReplyError') return undefined;
  if (/^MISCONF\b/.test(message ?? '')) return 'disk';
  if (/^OOM\b/.test(message ?? '')) return 'memory';
  return undefined;
}

/** True for either way a reachable Redis refuses writes (see redisFullKind). */
export function isRedisStoreFull(error: unknown): boolean {
  return redisFullKind(error) !== undefined;
}

/** Thrown by reserve under the `refuse` policy; the handler maps it to UNAVAILABLE naming the cause. */
export class OutageRefusal extends Error {
  constructor(cause: unknown) {
    super(`budget store (Redis) unreachable: new requests are refused until it returns (SOPHIA_REDIS_OUTAGE=refuse): ${(cause as Error).message}`, { cause });
    this.name = 'OutageRefusal';
  }
}

// Replies with which a reachable Redis says it cannot serve yet: loading its dataset after a restart,
// busy with a script, a replica cut off from its master, a cluster slot moving or down, a replica
// promoted mid-failover that is still read-only. They are outages too — without this, a request that
// reached Redis while it reloaded its append-only file was served unreserved under `refuse`.
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY)\b/;

/**
 * True for failures to reach a Redis able to serve (connection, retries exhausted, timeout, or a reply
 * saying it cannot serve yet); false for a command's own error.
 */
export function isRedisOutage(error: unknown): boolean {
  if (error instanceof RangeError) return false;
  const { name, message } = error as { name?: string; message?: string };
  if (name !== 'ReplyError') return true;
  return UNAVAILABLE_REPLIES.test(message ?? '');
}

/** Options for createSpoolingUsageStore. */
export interface SpoolingUsageStoreOptions {
  readonly primary: UsageStore & BudgetStore;
  readonly spool: UsageSpool;
  readonly policy: RedisOutagePolicy;
  readonly logger: { warn(details: object, message: string): void; info(details: object, message: string): void };
  /** How often the spool is replayed while it holds records. @default 1000 */
  readonly replayEveryMs?: number;
  /** Told of each replayed record's outcome (whether it settled a reservation: ledger_unreserved_commits_total). */
  readonly onReplayed?: (outcome: RecordOutcome) => void;
  /**
   * The store's compaction windows (retention.ts): a record Redis already took is written again only
   * while compaction cannot have folded it — its time at least one bucket newer than the cutoff —
   * since compaction deletes the event with its request id, and a rewrite would count it twice.
   * Without it, every spooled record is written again each cycle.
   */
  readonly compaction?: { readonly rawMs: number; readonly bucketMs: number };
  /** @default Date.now */
  readonly clock?: () => number;
}

/** The wrapped store plus `replay` (for tests) and `close` (stops the replay timer). */
export interface SpoolingUsageStore extends UsageStore, BudgetStore {
  /** Replays spooled records into Redis until the spool is empty or Redis fails; returns how many went in. */
  replay(): Promise<number>;
  close(): void;
}

/** Wraps `primary` with the spool and starts the replay timer. */
export function createSpoolingUsageStore(options: SpoolingUsageStoreOptions): SpoolingUsageStore {
  const { primary, spool, logger } = options;
  const clock = options.clock ?? Date.now;
  /** Records Redis already took that are older than this are not written again (see `compaction`). */
  const rewriteFrom = (): number => (options.compaction ? compactionCutoff(clock(), options.compaction.rawMs, options.compaction.bucketMs) + options.compaction.bucketMs : -Infinity);
  let replaying: Promise<number> | undefined;
  /**
   * Writes every spooled record into Redis, a page at a time, and drops a page from the spool once
   * Redis holds it — with SOPHIA_LEDGER_REDIS_REPLICA_ACKS, once the replicas confirm it (one WAIT a
   * page). A page they do not confirm stays spooled but is written all the same (idempotent), and the
   * replay goes on to the next, so reports and the warehouse stay current while no replica answers.
   * A record Redis took once and compaction may have folded since is not written again, only confirmed:
   * past the raw window, an unconfirmed record lost in a failover stays lost rather than risk counting
   * one that was compacted twice (docs/operations.md).
   */
  const replayOnce = async (): Promise<number> => {
    let replayed = 0;
    let unreserved = 0;
    let unconfirmed: ReplicaAckTimeout | undefined;
    for (let after = 0; ; ) {
      const batch = spool.head(100, after);
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.seq;
      const from = rewriteFrom();
      const wrote: string[] = [];
      for (const { record, reservationId, written } of batch) {
        if (written && record.timeMs < from) continue;
        const outcome = await primary.record(record, { reservationId, deferReplicaAck: true });
        if (outcome.recorded && outcome.reservationHeld === false) unreserved += 1;
        options.onReplayed?.(outcome);
        if (!written) wrote.push(record.requestId);
      }
      spool.markWritten(wrote);
      try {
        await primary.confirmReplicated?.();
      } catch (error) {
        if (!(error instanceof ReplicaAckTimeout)) throw error;
        unconfirmed = error;
        continue;
      }
      for (const { record } of batch) spool.remove(record.requestId);
      replayed += batch.length;
    }
    // `unreserved`: requests served during the outage without a budget hold (SOPHIA_REDIS_OUTAGE=serve).
    if (replayed > 0) logger.info({ replayed, unreserved }, 'redis is back: spooled usage records replayed');
    // Written but unconfirmed: still spooled; the caller (the timer) tries again.
    if (unconfirmed) throw unconfirmed;
    return replayed;
  };
  const replay = (): Promise<number> => {
    replaying ??= replayOnce().finally(() => {
      replaying = undefined;
    });
    return replaying;
  };
  const timer = setInterval(() => {
    if (spool.size() > 0) replay().catch(() => undefined);
  }, options.replayEveryMs ?? 1000);
  timer.unref();

  return {
    ...primary,
    async record(record, recordOptions = {}): Promise<RecordOutcome> {
      try {
        return await primary.record(record, recordOptions);
      } catch (error) {
        // A record that Redis cannot take — away, or unable to persist — is kept locally and replayed: never lost.
        const full = redisFullKind(error);
        if (full === undefined && !isRedisOutage(error)) throw error;
        // Unconfirmed by the replicas: Redis (the primary) took it already.
        spool.add(record, recordOptions.reservationId ?? record.requestId, error instanceof ReplicaAckTimeout);
        const why = full === 'disk' ? 'redis cannot persist' : full === 'memory' ? 'redis out of memory' : 'redis unreachable';
        logger.warn({ requestId: record.requestId, err: (error as Error).message, spooled: spool.size() }, `${why}: usage record spooled locally`);
        return { recorded: true, record };
      }
    },
    async reserve(request): Promise<ReserveOutcome> {
      try {
        return await primary.reserve(request);
      } catch (error) {
        const full = redisFullKind(error);
        if (full !== undefined) throw new RedisStoreFull(error, full);
        if (!isRedisOutage(error)) throw error;
        if (options.policy === 'refuse') throw new OutageRefusal(error);
        logger.warn({ tenant: request.tenant, err: (error as Error).message }, 'redis unreachable: reservation granted unchecked (SOPHIA_REDIS_OUTAGE=serve)');
        return { granted: true, states: [] };
      }
    },
    async promptCalibration(model): Promise<PromptCalibration> {
      try {
        return await primary.promptCalibration(model);
      } catch (error) {
        // Read by every Reserve before the reservation itself: the outage policy applies here too,
        // or `refuse` would be bypassed (and `serve` would fail) whenever Redis is away.
        if (!isRedisOutage(error)) throw error;
        if (options.policy === 'refuse') throw new OutageRefusal(error);
        return { samples: 0, maxRatioMilli: 0, maxExcessTokens: 0 };
      }
    },
    replay,
    close: () => clearInterval(timer),
  };
}
