import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isScope, SCOPES, type Caller, type Scope } from './api-key-scopes.ts';

/** One configured API key, the tenant it authenticates as and its scopes (unset = `chat`). */
export interface ApiKeyEntry {
  readonly key: string;
  readonly tenant: string;
  readonly scopes?: readonly Scope[];
}

/** Checks presented API keys; the answer is the caller (tenant and scopes) or undefined. */
export interface ApiKeyAuth {
  /** The caller a key authenticates, or undefined for a missing or unknown key. */
  callerFor(presentedKey: string | undefined): Caller | undefined;
  /** The caller's tenant, whatever its scopes (kept for callers that only need the tenant). */
  tenantFor(presentedKey: string | undefined): string | undefined;
}

const TENANT = /^[A-Za-z0-9._-]{1,64}$/;
const KEY = /^[\x21-\x7e]{1,256}$/;

const SCOPE_LIST = /^[a-z:]+(\+[a-z:]+)*$/;

/**
 * Parses `SOPHIA_API_KEYS` (`key:tenant[:scope+scope],…`). A last `:`-part made only of scope
 * names (`chat`, `ops:read`, `ops:write`, `admin`, joined by `+`) is the scope list; without one the
 * key has `chat` only, as before scopes existed. Returns the entries or the list of problems, each
 * naming the offending entry by position (never echoing the key itself, which is a secret).
 */
export function parseApiKeys(spec: string): { entries: ApiKeyEntry[]; problems: string[] } {
  const entries: ApiKeyEntry[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const parts = spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) problems.push('expected at least one key:tenant entry');
  parts.forEach((part, i) => {
    const { rest, scopes, problem } = splitScopes(part);
    if (problem) {
      problems.push(`entry ${i + 1}: ${problem}`);
      return;
    }
    const at = rest.lastIndexOf(':');
    const key = at > 0 ? rest.slice(0, at) : '';
    const tenant = at > 0 ? rest.slice(at + 1) : '';
    if (!key || !KEY.test(key)) problems.push(`entry ${i + 1}: expected key:tenant[:scope+scope] with a non-empty printable key`);
    else if (!TENANT.test(tenant)) problems.push(`entry ${i + 1}: tenant must match ${TENANT.source}`);
    else if (seen.has(key)) problems.push(`entry ${i + 1}: duplicate key`);
    else {
      seen.add(key);
      entries.push(scopes ? { key, tenant, scopes } : { key, tenant });
    }
  });
  return { entries, problems };
}

/**
 * Splits a trailing scope list off an entry. Scope names contain ":" themselves ("ops:read"), so
 * the list is found by trying the last 1–3 `:`-parts (longest first) as `scope+scope`; a part that
 * looks like a scope list but names an unknown scope is an error naming it.
 */
function splitScopes(entry: string): { rest: string; scopes?: Scope[]; problem?: string } {
  const segments = entry.split(':');
  for (let take = Math.min(segments.length - 2, 5); take >= 1; take--) {
    const tail = segments.slice(-take).join(':');
    if (!SCOPE_LIST.test(tail)) continue;
    const names = tail.split('+');
    if (names.every(isScope)) return { rest: segments.slice(0, -take).join(':'), scopes: [...new Set(names)] };
    const unknown = names.find((n) => !isScope(n) && !n.includes(':') && n !== '');
    if (take === 1 && names.length > 1 && unknown) return { rest: entry, problem: `unknown scope ${JSON.stringify(unknown)} (scopes: ${SCOPES.join(', ')})` };
  }
  return { rest: entry };
}

/** A fresh random key for local mode (no SOPHIA_API_KEYS): printed once at start. */
export function generateLocalApiKey(): string {
  return `sk-local-${randomBytes(24).toString('hex')}`;
}

/**
 * The key a request presents: `Authorization: Bearer <key>` (what OpenAI clients send, and gRPC
 * clients as `authorization` metadata) or `x-api-key`.
 */
export function presentedApiKey(headers: Headers): string | undefined {
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m?.[1];
  }
  return headers.get('x-api-key')?.trim() || undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Constant-time key check: every presented key is hashed and compared with every configured
 * key's hash via `timingSafeEqual`, with no early exit, so timing reveals neither which key
 * matched nor how many leading characters were right.
 */
export function createApiKeyAuth(entries: readonly ApiKeyEntry[]): ApiKeyAuth {
  const hashed = entries.map((e) => {
    const hash = digest(e.key);
    return { hash, caller: { tenant: e.tenant, scopes: new Set<Scope>(e.scopes ?? ['chat']), keyId: hash.toString('hex').slice(0, 12) } satisfies Caller };
  });
  const callerFor = (presentedKey: string | undefined): Caller | undefined => {
    if (presentedKey === undefined) return undefined;
    const h = digest(presentedKey);
    let caller: Caller | undefined;
    for (const entry of hashed) {
      if (timingSafeEqual(entry.hash, h) && caller === undefined) caller = entry.caller;
    }
    return caller;
  };
  return { callerFor, tenantFor: (key) => callerFor(key)?.tenant };
}
