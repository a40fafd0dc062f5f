// "Nothing lost" across a Redis failover (#15): Redis replicates asynchronously, so a usage record the
// primary acknowledged can be missing from the replica a Sentinel promotes. After its record script the
// ledger therefore waits (WAIT) until enough replicas hold it; a record they do not confirm in time is
// treated like one Redis could not take — kept in the local spool and replayed (idempotently, by
// request id) — so an acknowledged record is always on the replicas or on this replica's disk.
import type { Cluster, Redis } from 'ioredis';

/** How many replicas must confirm a record, and how long to wait for them. */
export interface ReplicaAcks {
  readonly replicas: number;
  readonly timeoutMs: number;
}

/** Thrown when fewer replicas than required confirmed the writes before the timeout (not a ReplyError: the spool takes the record). */
export class ReplicaAckTimeout extends Error {
  constructor(required: number, confirmed: number, timeoutMs: number) {
    super(`usage record not confirmed by ${required} Redis replica(s) within ${timeoutMs} ms (SOPHIA_LEDGER_REDIS_REPLICA_ACKS): ${confirmed} did`);
    this.name = 'ReplicaAckTimeout';
  }
}

/**
 * A barrier over one connection: resolves once `acks.replicas` replicas hold every write this
 * connection made before the call. WAIT blocks its connection, so records get a connection of their
 * own, and concurrent callers share one WAIT (group commit): a caller whose write finished while a
 * WAIT was already on its way joins the next one, which covers it.
 */
export function createReplicaAckBarrier(redis: Redis | Cluster, acks: ReplicaAcks): () => Promise<void> {
  let inFlight: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const send = async (): Promise<void> => {
    const confirmed = await redis.wait(acks.replicas, acks.timeoutMs);
    if (confirmed < acks.replicas) throw new ReplicaAckTimeout(acks.replicas, confirmed, acks.timeoutMs);
  };
  const barrier = (): Promise<void> => {
    if (inFlight === undefined) {
      inFlight = send().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    }
    next ??= inFlight
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return barrier();
      });
    return next;
  };
  return barrier;
}
