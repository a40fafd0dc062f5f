import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@connectrpc/connect';
import { BreakerState, BreakerTransitionSchema, type BreakerTransition, type RouterService } from '@sophia/contracts/router';
import { BREAKER_HISTORY_READ_LIMIT, type BreakerHistory, type BreakerTransitionRecord } from './breaker-history.ts';

const STATES = { closed: BreakerState.CLOSED, half_open: BreakerState.HALF_OPEN, open: BreakerState.OPEN } as const;

/** A recorded transition as GetBreakers returns it. */
export function breakerTransitionToProto(t: BreakerTransitionRecord): BreakerTransition {
  return create(BreakerTransitionSchema, { target: t.target, from: STATES[t.from], to: STATES[t.to], at: timestampFromMs(t.atMs) });
}

/**
 * The router's handler with GetBreakers answering the recorded transitions beside the live states.
 * A history that cannot be read leaves the states answered and the transitions empty (reported
 * through `onError`): the admin view must not go dark because its log did.
 */
export function withBreakerHistory(
  handler: ServiceImpl<typeof RouterService>,
  history: BreakerHistory,
  onError: (err: Error) => void,
  clock: () => number = Date.now,
): ServiceImpl<typeof RouterService> {
  return {
    ...handler,
    async getBreakers(req, ctx) {
      const [live, transitions] = await Promise.all([
        handler.getBreakers(req, ctx),
        history.recent(BREAKER_HISTORY_READ_LIMIT, clock()).catch((err: unknown) => {
          onError(err as Error);
          return [];
        }),
      ]);
      return { ...live, transitions: transitions.map(breakerTransitionToProto) };
    },
  };
}
