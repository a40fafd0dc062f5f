import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** One configured API key and the tenant it authenticates as. */
export interface ApiKeyEntry {
  readonly key: string;
  readonly tenant: string;
}

/** Checks presented API keys; the answer is the caller's tenant or undefined. */
export interface ApiKeyAuth {
  tenantFor(presentedKey: string | undefined): string | undefined;
}

const TENANT = /^[A-Za-z0-9._-]{1,64}$/;
const KEY = /^[\x21-\x7e]{1,256}$/;

/**
 * Parses `SOPHIA_API_KEYS` (`key:tenant,key:tenant`). Returns the entries or the list of problems,
 * each naming the offending entry by position (never echoing the key itself, which is a secret).
 */
export function parseApiKeys(spec: string): { entries: ApiKeyEntry[]; problems: string[] } {
  const entries: ApiKeyEntry[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const parts = spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) problems.push('expected at least one key:tenant entry');
  parts.forEach((part, i) => {
    const at = part.lastIndexOf(':');
    const key = at > 0 ? part.slice(0, at) : '';
    const tenant = at > 0 ? part.slice(at + 1) : '';
    if (!key || !KEY.test(key)) problems.push(`entry ${i + 1}: expected key:tenant with a non-empty printable key`);
    else if (!TENANT.test(tenant)) problems.push(`entry ${i + 1}: tenant must match ${TENANT.source}`);
    else if (seen.has(key)) problems.push(`entry ${i + 1}: duplicate key`);
    else {
      seen.add(key);
      entries.push({ key, tenant });
    }
  });
  return { entries, problems };
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
  const hashed = entries.map((e) => ({ hash: digest(e.key), tenant: e.tenant }));
  return {
    tenantFor(presentedKey) {
      if (presentedKey === undefined) return undefined;
      const h = digest(presentedKey);
      let tenant: string | undefined;
      for (const entry of hashed) {
        if (timingSafeEqual(entry.hash, h) && tenant === undefined) tenant = entry.tenant;
      }
      return tenant;
    },
  };
}
