import type { CompletionIdentity } from './completion-bodies.ts';
import type { SimOutput } from './sim-output.ts';
import type { InnerFaultSpec } from './fault-spec.ts';

/**
 * Everything the streaming and JSON writers need for one admitted request; the handler owns
 * accounting and passes `onToken` so usage, KV-cache load and metrics count only tokens really emitted.
 */
export interface CompletionRun {
  identity: CompletionIdentity;
  /** The answer: whole choices and the stream steps that build them. */
  output: SimOutput;
  promptTokens: number;
  /** Of `promptTokens`, those reported as served from the prompt cache; undefined: no `prompt_tokens_details`. */
  cachedPromptTokens?: number;
  includeUsage: boolean;
  ttftMs: number;
  interTokenMs: number;
  /** The fault to act out while generating (status-like faults never reach the writers). */
  fault: InnerFaultSpec | undefined;
  signal: AbortSignal;
  /** Extra response headers (x-request-id). */
  headers: Record<string, string>;
  onToken(index: number): void;
}

/** Default pause of a slow-drip fault when `ms` is not given. */
export const DEFAULT_DRIP_MS = 250;
/** Default number of tokens before a mid-stream fault when `after` is not given. */
export const DEFAULT_AFTER_TOKENS = 1;

/** The extra per-token delay of the run's fault. */
export function dripMs(fault: InnerFaultSpec | undefined): number {
  return fault?.kind === 'slow-drip' ? (fault.ms ?? DEFAULT_DRIP_MS) : 0;
}
