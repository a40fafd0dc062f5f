import type { RateLimitView } from './rate-limiter.ts';

/**
 * A reset delay as OpenAI writes it (`"1s"`, `"6m0s"`, `"120ms"`): the OpenAI SDKs and LangChain
 * parse this format to back off.
 */
export function openAiDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const seconds = Math.ceil(ms / 1000);
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m}m${s}s` : `${s}s`;
}

/** The `x-ratelimit-*` headers OpenAI clients read, for the dimensions that have a limit. */
export function rateLimitHeaders(view: RateLimitView): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [suffix, dim] of [['requests', view.requests], ['tokens', view.tokens]] as const) {
    if (!dim) continue;
    out[`x-ratelimit-limit-${suffix}`] = String(dim.limit);
    out[`x-ratelimit-remaining-${suffix}`] = String(dim.remaining);
    out[`x-ratelimit-reset-${suffix}`] = openAiDuration(dim.resetMs);
  }
  return out;
}
