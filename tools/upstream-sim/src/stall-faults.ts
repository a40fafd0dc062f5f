import { sleep, waitForAbort } from './abortable-sleep.ts';
import { DEFAULT_AFTER_TOKENS } from './completion-run.ts';
import type { InnerFaultSpec } from './fault-spec.ts';
import type { MidStreamAction } from './token-pacer.ts';

/**
 * The two stall faults act the same in a stream and in a JSON answer (only what is written around them
 * differs), so both writers take them from here.
 */

/**
 * Waits out a `stall-before-first-token` fault (for `ms`, or until the request is abandoned when
 * none is given). Resolves false when the request was abandoned meanwhile; true at once for any other fault.
 */
export async function waitOutFirstTokenStall(fault: InnerFaultSpec | undefined, signal: AbortSignal): Promise<boolean> {
  if (fault?.kind !== 'stall-before-first-token') return true;
  if (fault.ms === undefined) {
    await waitForAbort(signal);
    return false;
  }
  return sleep(fault.ms, signal);
}

/** The pause of a `stall-mid-stream` fault after its tokens (for `ms`, or until abandoned); undefined for any other fault. */
export function midStreamStall(fault: InnerFaultSpec | undefined, signal: AbortSignal): MidStreamAction | undefined {
  if (fault?.kind !== 'stall-mid-stream') return undefined;
  const ms = fault.ms;
  return {
    at: fault.afterTokens ?? DEFAULT_AFTER_TOKENS,
    action: async () => {
      if (ms !== undefined) return sleep(ms, signal);
      await waitForAbort(signal);
      return false;
    },
  };
}
