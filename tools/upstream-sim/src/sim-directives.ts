import type { IncomingHttpHeaders } from 'node:http';
import { FaultSpecError, parseFaultSpec, type FaultSpec } from './fault-spec.ts';
import type { ChatRequestError } from './chat-request.ts';
import type { PromptMessage } from './token-counter.ts';

/**
 * Per-request simulator controls. Headers suit direct calls; the `[[sim:key=value]]` marker inside the
 * last user message travels through the whole mesh untouched, so an end-to-end test can pick a fault or
 * a timing for one request without plumbing headers through every hop.
 */
export interface SimDirectives {
  fault?: FaultSpec;
  outputTokens?: number;
  ttftMs?: number;
  interTokenMs?: number;
  /** Prompt tokens to report as served from the prompt cache (`usage.prompt_tokens_details.cached_tokens`, capped at the prompt). */
  cachedTokens?: number;
}

export type SimDirectivesResult =
  | { ok: true; directives: SimDirectives; messages: PromptMessage[] }
  | { ok: false; error: ChatRequestError };

/** Marker keys and their header equivalents. */
const KEYS = {
  fault: { field: 'fault', header: 'x-sim-fault' },
  tokens: { field: 'outputTokens', header: 'x-sim-output-tokens' },
  'ttft-ms': { field: 'ttftMs', header: 'x-sim-ttft-ms' },
  'inter-token-ms': { field: 'interTokenMs', header: 'x-sim-inter-token-ms' },
  'cached-tokens': { field: 'cachedTokens', header: 'x-sim-cached-tokens' },
} as const;

type Key = keyof typeof KEYS;

const MARKER = /\[\[sim:([a-z-]+)=([^\]]*)\]\]/gi;
const MARKER_WITH_SPACE = /[ \t]*\[\[sim:[a-z-]+=[^\]]*\]\]/gi;

function isKey(key: string): key is Key {
  return Object.hasOwn(KEYS, key);
}

function apply(directives: SimDirectives, key: Key, raw: string, param: string): ChatRequestError | undefined {
  if (key === 'fault') {
    try {
      const fault = parseFaultSpec(raw);
      if (fault.kind === 'health-fail') {
        return { param, message: `fault health-fail applies to /health only; set it with POST /sim/fault` };
      }
      directives.fault = fault;
      return undefined;
    } catch (error) {
      if (error instanceof FaultSpecError) return { param, message: `${param}: ${error.message}` };
      throw error;
    }
  }
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 0) {
    return { param, message: `${param}: ${key} must be a non-negative integer, got "${raw}"` };
  }
  directives[KEYS[key].field] = value;
  return undefined;
}

/** Reads markers from the last user message (and strips them) and then headers, which win. */
export function extractSimDirectives(
  messages: readonly PromptMessage[],
  headers: IncomingHttpHeaders,
): SimDirectivesResult {
  const directives: SimDirectives = {};
  const stripped = messages.map((message) => ({ ...message }));
  const lastUserIndex = stripped.findLastIndex((message) => message.role === 'user');
  const lastUser = stripped[lastUserIndex];
  if (lastUser) {
    const param = `messages[${lastUserIndex}].content`;
    for (const match of lastUser.content.matchAll(MARKER)) {
      const key = (match[1] ?? '').toLowerCase();
      if (!isKey(key)) {
        return {
          ok: false,
          error: { param, message: `unknown simulator marker "[[sim:${key}=…]]"; known: ${Object.keys(KEYS).join(', ')}` },
        };
      }
      const error = apply(directives, key, match[2] ?? '', param);
      if (error) return { ok: false, error };
    }
    const cleaned = lastUser.content.replace(MARKER_WITH_SPACE, '');
    if (cleaned !== lastUser.content) lastUser.content = cleaned.trim();
  }
  for (const key of Object.keys(KEYS) as Key[]) {
    const header = headers[KEYS[key].header];
    const raw = Array.isArray(header) ? header[0] : header;
    if (raw === undefined) continue;
    const error = apply(directives, key, raw, KEYS[key].header);
    if (error) return { ok: false, error };
  }
  return { ok: true, directives, messages: stripped };
}
