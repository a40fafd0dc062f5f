import { ConfigError, configValues } from '@sophia/platform';
import type { PriceCatalog } from '@sophia/price-catalog';
import { z } from 'zod';
import { isProviderName, PROVIDER_PRESETS } from './provider-presets.ts';
import { resolveProviders } from './providers/provider-settings.ts';
import type { ServerlessInferenceDeps } from './serverless-inference-handler.ts';

const count = (def: number) => z.coerce.number().int().min(0).default(def);

const modelMapValue = z
  .string()
  .transform((s, ctx) => {
    const map = new Map<string, string>();
    for (const pair of s.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
      const [from, to, extra] = pair.split('=').map((x) => x.trim());
      if (!from || !to || extra !== undefined) {
        ctx.addIssue({ code: 'custom', message: `expected "catalogId=providerId[,…]", got "${pair}"` });
        return z.NEVER;
      }
      map.set(from, to);
    }
    return map;
  });

/**
 * Keys of the serverless backend (merged by runService with the shared ones and the port). One of
 * the base URL and the provider preset is required; {@link serverlessDepsFromConfig} checks that,
 * because runService merges schemas by shape and would drop an object-level refinement.
 */
export const serverlessConfigSchema = z
  .object({
    /**
     * Several providers: comma-separated `name` (the catalog's base URL) or `name=baseURL` entries,
     * names from the catalog's providers; keys from SOPHIA_SERVERLESS_API_KEY_<NAME>[_FILE].
     */
    SOPHIA_SERVERLESS_PROVIDERS: configValues.list().optional(),
    /**
     * Bounds of the failover budget learned per provider (4 × its recent p99 TTFT): a provider silent
     * for every request this long is left for the next one (the last one gets its first-token limit).
     */
    SOPHIA_SERVERLESS_FAILOVER_FIRST_TOKEN_MS: configValues.durationMs(1_000),
    SOPHIA_SERVERLESS_FAILOVER_FIRST_TOKEN_MIN_MS: configValues.durationMs(250),
    /** Lower bound of the first-token timeout learned per provider; SOPHIA_SERVERLESS_FIRST_TOKEN_TIMEOUT_MS is the upper. */
    SOPHIA_SERVERLESS_FIRST_TOKEN_MIN_MS: configValues.durationMs(2_000),
    /** Per-provider defaults; SOPHIA_SERVERLESS_<KEY>_<NAME> overrides one provider. */
    SOPHIA_SERVERLESS_CONNECTIONS: count(1024),
    SOPHIA_SERVERLESS_MAX_INFLIGHT: count(1024),
    SOPHIA_SERVERLESS_QUEUE_LIMIT: count(256),
    /** Open breaker → half-open probe after this long. */
    SOPHIA_SERVERLESS_BREAKER_RESET_MS: configValues.durationMs(2_000),
    /** Provider API root, e.g. https://api.together.xyz/v1 (a bare origin means <origin>/v1). */
    SOPHIA_SERVERLESS_BASE_URL: configValues.url().optional(),
    /** Preset name instead of a URL: together, fireworks, deepinfra, groq, openrouter, lambda (deprecated). */
    SOPHIA_SERVERLESS_PROVIDER: z
      .string()
      .refine(isProviderName, { message: `expected one of ${Object.keys(PROVIDER_PRESETS).join(', ')}` })
      .optional(),
    SOPHIA_SERVERLESS_API_KEY: z.string().min(1).optional(),
    /** Catalog ids ListModels reports; unset → the provider's /v1/models. */
    SOPHIA_SERVERLESS_MODELS: configValues.list().optional(),
    /** catalogId=providerId pairs; ids not listed pass through unchanged. */
    SOPHIA_SERVERLESS_MODEL_MAP: modelMapValue.optional(),
    SOPHIA_SERVERLESS_CONNECT_TIMEOUT_MS: configValues.durationMs(2_000),
    SOPHIA_SERVERLESS_FIRST_TOKEN_TIMEOUT_MS: configValues.durationMs(30_000),
    SOPHIA_SERVERLESS_STALL_TIMEOUT_MS: configValues.durationMs(20_000),
    SOPHIA_SERVERLESS_TOTAL_TIMEOUT_MS: configValues.durationMs(300_000),
    SOPHIA_SERVERLESS_MODELS_CACHE_MS: configValues.durationMs(60_000),
  });

/** Parsed serverless configuration. */
export type ServerlessConfig = z.infer<typeof serverlessConfigSchema>;

/**
 * Turns parsed configuration into handler dependencies: SOPHIA_SERVERLESS_PROVIDERS (several
 * providers, resolved against `catalog` with their keys from `env`), or the one-provider
 * SOPHIA_SERVERLESS_BASE_URL / SOPHIA_SERVERLESS_PROVIDER (an explicit base URL wins over a preset).
 * Both, or neither, is a ConfigError. Returns warnings (e.g. a deprecated preset) for the caller to log.
 */
export function serverlessDepsFromConfig(
  config: ServerlessConfig,
  env: Readonly<Record<string, string | undefined>> = {},
  catalog?: PriceCatalog,
): { deps: ServerlessInferenceDeps; warnings: string[] } {
  const warnings: string[] = [];
  const common = {
    failoverFirstTokenMs: config.SOPHIA_SERVERLESS_FAILOVER_FIRST_TOKEN_MS,
    failoverFirstTokenMinMs: config.SOPHIA_SERVERLESS_FAILOVER_FIRST_TOKEN_MIN_MS,
    firstTokenMinMs: config.SOPHIA_SERVERLESS_FIRST_TOKEN_MIN_MS,
    breaker: { resetTimeoutMs: config.SOPHIA_SERVERLESS_BREAKER_RESET_MS },
    timeouts: {
      connectMs: config.SOPHIA_SERVERLESS_CONNECT_TIMEOUT_MS,
      firstTokenMs: config.SOPHIA_SERVERLESS_FIRST_TOKEN_TIMEOUT_MS,
      stallMs: config.SOPHIA_SERVERLESS_STALL_TIMEOUT_MS,
      totalMs: config.SOPHIA_SERVERLESS_TOTAL_TIMEOUT_MS,
    },
    modelsCacheTtlMs: config.SOPHIA_SERVERLESS_MODELS_CACHE_MS,
    ...(config.SOPHIA_SERVERLESS_MODELS ? { models: config.SOPHIA_SERVERLESS_MODELS } : {}),
  };
  const entries = config.SOPHIA_SERVERLESS_PROVIDERS;
  if (entries !== undefined) {
    const clash = (['SOPHIA_SERVERLESS_BASE_URL', 'SOPHIA_SERVERLESS_PROVIDER', 'SOPHIA_SERVERLESS_MODEL_MAP'] as const).filter((k) => config[k] !== undefined);
    if (clash.length > 0) throw new ConfigError(clash.map((k) => `${k}: not allowed with SOPHIA_SERVERLESS_PROVIDERS (one-provider configuration; name the provider in the list instead)`));
    if (catalog === undefined) throw new ConfigError(['SOPHIA_SERVERLESS_PROVIDERS: needs the price catalog to resolve provider offers']);
    const providers = resolveProviders(entries, env, catalog, {
      connections: config.SOPHIA_SERVERLESS_CONNECTIONS,
      maxInFlight: config.SOPHIA_SERVERLESS_MAX_INFLIGHT,
      queueLimit: config.SOPHIA_SERVERLESS_QUEUE_LIMIT,
    });
    return { deps: { providers, ...common }, warnings };
  }
  const presetName = config.SOPHIA_SERVERLESS_PROVIDER;
  const preset = presetName !== undefined && isProviderName(presetName) ? PROVIDER_PRESETS[presetName] : undefined;
  if (preset && 'deprecated' in preset && config.SOPHIA_SERVERLESS_BASE_URL === undefined) {
    warnings.push(`provider preset "${presetName}" is deprecated: ${preset.deprecated}`);
  }
  const baseUrl = config.SOPHIA_SERVERLESS_BASE_URL ?? preset?.baseUrl;
  if (baseUrl === undefined) throw new ConfigError(['SOPHIA_SERVERLESS_BASE_URL: required (or SOPHIA_SERVERLESS_PROVIDERS, or SOPHIA_SERVERLESS_PROVIDER)']);
  const map = config.SOPHIA_SERVERLESS_MODEL_MAP;
  const deps: ServerlessInferenceDeps = {
    baseUrl,
    ...(config.SOPHIA_SERVERLESS_BASE_URL === undefined && presetName !== undefined ? { providerName: presetName } : {}),
    ...(config.SOPHIA_SERVERLESS_API_KEY ? { apiKey: config.SOPHIA_SERVERLESS_API_KEY } : {}),
    ...(map ? { modelMap: (id: string) => map.get(id) ?? id } : {}),
    ...common,
  };
  return { deps, warnings };
}
