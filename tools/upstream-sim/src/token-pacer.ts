import { sleep } from './abortable-sleep.ts';

/**
 * The clock of a simulated generation: time to first token, inter-token gaps, an optional extra delay
 * per token (slow drip) and one hook that runs after exactly `at` tokens (the mid-stream faults).
 * Shared by the streaming and the JSON responses so both take the same time for the same request.
 */
/** What a mid-stream fault does once `at` tokens were emitted; resolving false ends the generation. */
export interface MidStreamAction {
  at: number;
  action: () => Promise<boolean>;
}

export interface TokenPacerOptions {
  count: number;
  ttftMs: number;
  interTokenMs: number;
  /** Added before every token, including the first. */
  dripMs: number;
  signal: AbortSignal;
  /** Runs once, after `at` tokens (clamped to `count`); returning false ends the generation. */
  midStream?: MidStreamAction;
  /** Emits token `index`; returning false ends the generation (client gone). */
  emit: (index: number) => Promise<boolean> | boolean;
}

/** Paces `count` tokens; resolves true when all were emitted, false when cut short. */
export async function paceTokens(options: TokenPacerOptions): Promise<boolean> {
  const { count, midStream } = options;
  const at = midStream ? Math.min(midStream.at, count) : -1;
  for (let index = 0; index <= count; index++) {
    if (midStream && index === at && !(await midStream.action())) return false;
    if (index === count) break;
    const wait = (index === 0 ? options.ttftMs : options.interTokenMs) + options.dripMs;
    if (!(await sleep(wait, options.signal))) return false;
    if (!(await options.emit(index))) return false;
  }
  return !options.signal.aborted;
}
