import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { BreakerState, BreakerStatusSchema, type BreakerStatus } from '@sophia/contracts/router';
import type { BreakerSnapshot } from './target-breakers.ts';

const STATES = { closed: BreakerState.CLOSED, half_open: BreakerState.HALF_OPEN, open: BreakerState.OPEN } as const;

/** A breaker snapshot as the GetBreakers admin RPC returns it. */
export function breakerStatusToProto(b: BreakerSnapshot): BreakerStatus {
  return create(BreakerStatusSchema, {
    target: b.target,
    state: STATES[b.state],
    consecutiveFailures: b.consecutiveFailures,
    windowFires: b.fires,
    windowFailures: b.failures,
    windowRejects: b.rejects,
    changedAt: b.changedAt > 0 ? timestampFromMs(b.changedAt) : undefined,
  });
}
