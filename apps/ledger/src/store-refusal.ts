// The ledger's answer when its store refuses a write for a known condition — Redis unreachable under
// SOPHIA_REDIS_OUTAGE=refuse, Redis unable to persist (MISCONF) or out of memory (OOM), the embedded
// state file out of disk space — as the mesh's refusal (UNAVAILABLE + `sophia-outage: <cause>`), so
// the router refuses instead of serving unreserved and the gateway names the cause.
import type { ConnectError } from '@connectrpc/connect';
import { budgetOutageRefusal } from '@sophia/platform/wire';
import { isStorageFull } from '@sophia/state-store';
import { OutageRefusal, RedisStoreFull } from './spooling-usage-store.ts';

/** The refusal for `error`, or undefined when it is not a known refusal condition (a bug or an unknown failure). */
export function storeRefusal(error: unknown, stateLocation: string | undefined): ConnectError | undefined {
  if (error instanceof OutageRefusal) return budgetOutageRefusal(error.message);
  if (error instanceof RedisStoreFull) return budgetOutageRefusal(error.message, error.kind === 'memory' ? 'store-out-of-memory' : 'store-full');
  // Out of disk space: nothing can be recorded (or spooled), so the router must not serve unreserved either.
  if (isStorageFull(error)) {
    return budgetOutageRefusal(`the ledger cannot write its state store (${stateLocation ?? 'the data directory'}): database or disk is full; requests are refused until space is freed`, 'store-full');
  }
  return undefined;
}
