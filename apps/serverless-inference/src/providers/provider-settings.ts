import { readFileSync } from 'node:fs';
import { ConfigError } from '@sophia/platform';
import type { PriceCatalog } from '@sophia/price-catalog';

/** One configured provider, resolved once at start from configuration and the catalog. */
export interface ProviderSettings {
  /** The catalog's provider name (offers are looked up by it); also the name answers carry. */
  readonly name: string;
  /** API root, e.g. `https://api.deepinfra.com/v1/openai`. */
  readonly baseUrl: string;
  readonly apiKey?: string;
  /** Offer HTTP/2 via ALPN (from the catalog's `providers.<name>.http2`). */
  readonly http2: boolean;
  /** Sockets in this provider's pool. */
  readonly connections: number;
  /** Requests in flight at once; more wait in the queue. */
  readonly maxInFlight: number;
  /** Requests allowed to wait; a full queue means "busy": the next provider is tried. */
  readonly queueLimit: number;
}

/** Per-provider concurrency defaults (documented in docs/configuration.md with their reason). */
export interface ConcurrencyDefaults {
  readonly connections: number;
  readonly maxInFlight: number;
  readonly queueLimit: number;
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** `deepinfra` → `DEEPINFRA`, `my-llm` → `MY_LLM`: the suffix of the provider's own keys. */
export function envSuffix(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

function positiveInt(env: Readonly<Record<string, string | undefined>>, key: string, fallback: number, problems: string[]): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    problems.push(`${key}: expected a non-negative integer, got "${raw}"`);
    return fallback;
  }
  return n;
}

function keyOf(name: string, env: Readonly<Record<string, string | undefined>>, problems: string[]): string | undefined {
  const key = `SOPHIA_SERVERLESS_API_KEY_${envSuffix(name)}`;
  const inline = env[key];
  if (inline !== undefined && inline.trim() !== '') return inline.trim();
  const file = env[`${key}_FILE`];
  if (file === undefined || file === '') return undefined;
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (text === '') problems.push(`${key}_FILE: ${file} is empty`);
    return text || undefined;
  } catch (err) {
    problems.push(`${key}_FILE: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return undefined;
  }
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

/**
 * Parses `SOPHIA_SERVERLESS_PROVIDERS` (`name` or `name=baseURL`, comma-separated) against the
 * catalog: each name must be a catalog provider with at least one offer, a URL must be http(s), and
 * every provider needs a key (`SOPHIA_SERVERLESS_API_KEY_<NAME>` or `…_FILE`) unless its URL is a
 * loopback address (the local simulators). Per-provider overrides: `SOPHIA_SERVERLESS_CONNECTIONS_<NAME>`,
 * `SOPHIA_SERVERLESS_MAX_INFLIGHT_<NAME>`, `SOPHIA_SERVERLESS_QUEUE_LIMIT_<NAME>`.
 * @throws ConfigError naming every bad entry and key at once
 */
export function resolveProviders(
  entries: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  catalog: PriceCatalog,
  defaults: ConcurrencyDefaults,
): ProviderSettings[] {
  const problems: string[] = [];
  const out: ProviderSettings[] = [];
  const seen = new Set<string>();
  const offered = new Set(catalog.models.flatMap((m) => m.offers.map((o) => o.provider)));
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const name = (eq < 0 ? entry : entry.slice(0, eq)).trim();
    const url = eq < 0 ? undefined : entry.slice(eq + 1).trim();
    const at = `SOPHIA_SERVERLESS_PROVIDERS: "${entry}"`;
    if (!NAME.test(name)) {
      problems.push(`${at}: provider name must be lower-case letters, digits, "-" or "_"`);
      continue;
    }
    if (seen.has(name)) problems.push(`${at}: provider "${name}" is listed twice`);
    seen.add(name);
    const known = catalog.providers[name];
    if (known === undefined) {
      problems.push(`${at}: unknown provider "${name}" (the catalog knows: ${Object.keys(catalog.providers).join(', ')}); add it with its offers to the catalog`);
      continue;
    }
    if (!offered.has(name)) problems.push(`${at}: the catalog lists no offer from "${name}" for any model`);
    if (known.deprecated !== undefined && url === undefined) problems.push(`${at}: provider "${name}" is deprecated: ${known.deprecated}`);
    let baseUrl = known.baseUrl;
    if (url !== undefined) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        problems.push(`${at}: base URL "${url}" is not a URL`);
        continue;
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        problems.push(`${at}: base URL must be http or https, got "${parsed.protocol.replace(/:$/, '')}"`);
        continue;
      }
      baseUrl = url;
    }
    const apiKey = keyOf(name, env, problems);
    if (apiKey === undefined && !isLoopback(baseUrl)) {
      problems.push(`SOPHIA_SERVERLESS_API_KEY_${envSuffix(name)}: required for provider "${name}" (or SOPHIA_SERVERLESS_API_KEY_${envSuffix(name)}_FILE naming a secret file)`);
    }
    const suffix = envSuffix(name);
    out.push({
      name,
      baseUrl,
      ...(apiKey === undefined ? {} : { apiKey }),
      http2: known.http2 === true,
      connections: positiveInt(env, `SOPHIA_SERVERLESS_CONNECTIONS_${suffix}`, defaults.connections, problems),
      maxInFlight: positiveInt(env, `SOPHIA_SERVERLESS_MAX_INFLIGHT_${suffix}`, defaults.maxInFlight, problems),
      queueLimit: positiveInt(env, `SOPHIA_SERVERLESS_QUEUE_LIMIT_${suffix}`, defaults.queueLimit, problems),
    });
  }
  if (entries.length === 0) problems.push('SOPHIA_SERVERLESS_PROVIDERS: lists no provider');
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}
