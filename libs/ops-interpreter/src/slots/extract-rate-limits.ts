import type { Phrase } from '../text/phrase.ts';
import { extractTenant, tenantWord } from './extract-slots.ts';

/**
 * Rate-limit vocabulary: what makes a phrase about request/token rates or concurrency rather than
 * about dollars (budgets) or routing. Shared by the intent rule and the slot extractors.
 */
export const RATE_LIMIT_WORDS = /\brate[- ]?limit(s|ing|ed)?\b|\b(rpm|tpm)\b|\b(requests?|tokens?|calls?|queries|reqs?) ?(per|a|an|\/|every) ?(minute|min)\b|\b(requests|tokens|calls|reqs)\/min\b|\bconcurren(t|cy)\b|\bsimultaneous (requests|calls|streams)\b|\bthrottl(e|ed|ing)\b/;

const NUMBER = String.raw`(\d[\d,]*(?:\.\d+)?)(k|m)?`;

function amount(m: RegExpExecArray | null, at = 1): number | undefined {
  if (!m) return undefined;
  const value = Number(m[at]!.replace(/,/g, ''));
  const scale = m[at + 1] === 'k' ? 1000 : m[at + 1] === 'm' ? 1_000_000 : 1;
  return Number.isFinite(value) ? Math.round(value * scale) : undefined;
}

const PER_MINUTE = String.raw`(?: ?(?:per|a|an|\/|every) ?(?:minute|min)\b|\/min\b)`;
const REQUESTS = [
  new RegExp(String.raw`\b${NUMBER} ?(?:requests?|reqs?|calls?|queries|query)${PER_MINUTE}`),
  new RegExp(String.raw`\b${NUMBER} ?rpm\b`),
  new RegExp(String.raw`\b(?:rpm|requests? per minute)(?: limit)?(?: \S+){0,3}? (?:to|of|at|=|is) ${NUMBER}\b`),
];
const TOKENS = [
  new RegExp(String.raw`\b${NUMBER} ?tokens?${PER_MINUTE}`),
  new RegExp(String.raw`\b${NUMBER} ?tpm\b`),
  new RegExp(String.raw`\b(?:tpm|tokens? per minute)(?: limit)?(?: \S+){0,3}? (?:to|of|at|=|is) ${NUMBER}\b`),
];
const CONCURRENT = [
  new RegExp(String.raw`\b${NUMBER} (?:concurrent|simultaneous|parallel|in-flight)\b`),
  new RegExp(String.raw`\b${NUMBER} (?:requests?|calls?|streams?) (?:at once|in flight|in parallel|concurrently)\b`),
  new RegExp(String.raw`\bconcurren(?:cy|t requests?)(?: limit)?(?: \S+){0,3}? (?:to|of|at|=|is) ${NUMBER}\b`),
];
/** "rate limit … to 600" with no unit: the rate a rate limit means unqualified is requests per minute. */
const BARE = new RegExp(String.raw`\brate[- ]?limits?(?: \S+){0,3} (?:to|at|of) ${NUMBER}(?! ?(?:tokens?|concurrent|tpm|\$|dollars?|usd))\b`);

const first = (patterns: readonly RegExp[], text: string): number | undefined => {
  for (const re of patterns) {
    const n = amount(re.exec(text));
    if (n !== undefined) return n;
  }
  return undefined;
};

/** The limits a phrase sets: "600 requests per minute", "50k tokens/min", "20 concurrent requests", "rpm to 120". */
export function extractRateLimits(p: Phrase): { requests_per_minute?: number; tokens_per_minute?: number; concurrent_requests?: number } {
  const text = p.text;
  const out: { requests_per_minute?: number; tokens_per_minute?: number; concurrent_requests?: number } = {};
  const rpm = first(REQUESTS, text);
  const tpm = first(TOKENS, text);
  const concurrent = first(CONCURRENT, text);
  if (rpm !== undefined) out.requests_per_minute = rpm;
  if (tpm !== undefined) out.tokens_per_minute = tpm;
  if (concurrent !== undefined) out.concurrent_requests = concurrent;
  if (rpm === undefined && tpm === undefined && concurrent === undefined) {
    const bare = amount(BARE.exec(text));
    if (bare !== undefined) out.requests_per_minute = bare;
  }
  return out;
}

/** "per key", "each API key", "per-key": the limit of every key of the tenant, not the tenant's total. */
export function extractRateLimitScope(p: Phrase): 'tenant' | 'per_key' | undefined {
  return /\b(per[- ]key|per (api )?key|each (api )?key|every (api )?key|per api-key|key-level)\b/.test(p.text) ? 'per_key' : undefined;
}

/** Words a rate-limit phrase has where a budget phrase has a name ("rate limit", "rpm"). */
const NOT_A_TENANT = new Set(['rate', 'rpm', 'tpm', 'request', 'requests', 'token', 'tokens', 'concurrency', 'concurrent', 'key', 'per-key', 'api', 'rate-limit', 'throttle']);

/** The tenant of a rate-limit phrase: "tenant acme", "acme's", "for acme", "limit acme to …", "allow acme 600 rpm". */
export function extractRateLimitTenant(p: Phrase): string | undefined {
  const named = extractTenant(p);
  if (named !== undefined && !NOT_A_TENANT.has(named)) return named;
  const w = p.words;
  const name = (i: number): string | undefined => {
    const t = tenantWord(p, i);
    return t !== undefined && !NOT_A_TENANT.has(t) ? t : undefined;
  };
  for (let i = 0; i < w.length; i++) {
    if (w[i] === 'for' || w[i] === 'of') {
      const t = name(i + 1);
      if (t) return t;
    }
    // "is globex allowed", "does acme get".
    if (['is', 'does', 'can', 'may'].includes(w[i]!) && ['allowed', 'get', 'have', 'send', 'run', 'make'].includes(w[i + 2] ?? '')) {
      const t = name(i + 1);
      if (t) return t;
    }
    if (['limit', 'throttle', 'cap', 'allow', 'give'].includes(w[i]!) && (['to', 'at'].includes(w[i + 2] ?? '') || /^\d/.test(w[i + 2] ?? ''))) {
      const t = name(i + 1);
      if (t) return t;
    }
  }
  return undefined;
}
