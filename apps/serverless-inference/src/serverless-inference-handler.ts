import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { Backend } from '@sophia/contracts/common';
import { EndpointCapacitySchema, type InferenceService } from '@sophia/contracts/inference';
import { apiUrl, listUpstreamModels, silentUpstreamLogger, type UpstreamLogger, type UpstreamTimeouts } from '@sophia/openai-upstream';
import { loadCatalog, requestNeeds, type OfferFeature, type PriceCatalog, type ProviderOffer } from '@sophia/price-catalog';
import { createModelListCache } from './model-list-cache.ts';
import { generateWithFailover } from './providers/failover-generate.ts';
import { createProviderMetrics, type ProviderMetrics } from './providers/provider-metrics.ts';
import { DEFAULT_PROVIDER_PREFS, providerPrefsFrom, type ProviderPrefs } from './providers/provider-preferences.ts';
import { createProviderRuntime, type ProviderBreakerOptions, type ProviderRuntime } from './providers/provider-runtime.ts';
import type { ProviderSettings } from './providers/provider-settings.ts';
import { createProviderTtft } from './providers/provider-ttft.ts';
import { rankOffers } from './providers/rank-offers.ts';
import { embedWithFailover } from './providers/embed-with-failover.ts';
import type { Registry } from 'prom-client';

/** Per-provider concurrency when the deps do not say (see docs/configuration.md for the reason). */
export const DEFAULT_CONCURRENCY = { connections: 1024, maxInFlight: 1024, queueLimit: 256 } as const;

/** Everything the serverless backend needs; config parsing happens elsewhere (serverless-config.ts). */
export interface ServerlessInferenceDeps {
  /** The configured providers (SOPHIA_SERVERLESS_PROVIDERS), tried cheapest healthy first. */
  providers?: readonly ProviderSettings[];
  /** One-provider configuration (SOPHIA_SERVERLESS_BASE_URL): API root, e.g. `https://api.together.xyz/v1`. */
  baseUrl?: string;
  apiKey?: string;
  /** Name of the one provider (its catalog offers are used when the catalog has them). @default the base URL's host */
  providerName?: string;
  /**
   * One-provider mode: catalog model id → the provider's model id when the catalog has no offer
   * from it; `undefined` means "not offered here" (NotFound). @default identity
   */
  modelMap?: (catalogModelId: string) => string | undefined;
  /** The live catalog (offers, prices). @default the bundled catalog */
  catalog?: () => PriceCatalog;
  /** Catalog ids to list in ListModels instead of the offers (or, one-provider mode, `/v1/models`). */
  models?: readonly string[];
  timeouts?: UpstreamTimeouts;
  /** Upper bound of the learned failover budget (how long a silent provider is waited for). @default 1000 */
  failoverFirstTokenMs?: number;
  /** Lower bound of the learned failover budget. @default 250 */
  failoverFirstTokenMinMs?: number;
  /** Lower bound of the learned first-token timeout (the upper one is `timeouts.firstTokenMs`). @default 2000 */
  firstTokenMinMs?: number;
  breaker?: Partial<ProviderBreakerOptions>;
  /** How long a `/v1/models` answer is reused. @default 60000 */
  modelsCacheTtlMs?: number;
  /** Tenant defaults for provider preferences (the routing policy's `providers`). */
  tenantPrefs?: (tenant: string) => ProviderPrefs | undefined;
  /** Registry for the per-provider metrics. */
  registry?: Registry;
  logger?: UpstreamLogger;
}

const ALL_FEATURES: ReadonlySet<OfferFeature> = new Set(['tools', 'json', 'logprobs', 'vision', 'penalties', 'logit_bias', 'seed', 'n', 'reasoning']);

/** Rough prompt size (≈ 4 characters per token) for context-window checks and price ranking. */
function promptTokenEstimate(messages: ReadonlyArray<{ content: string }>): number {
  let chars = 0;
  for (const m of messages) chars += m.content.length;
  return Math.ceil(chars / 4);
}

/**
 * InferenceService over several OpenAI-compatible pay-per-token providers. Each Generate ranks the
 * configured providers that offer the model (catalog offers; cheapest effective price first, latency
 * breaking ties, or the request's / tenant's `provider` preferences), skips those whose breaker is
 * open or whose 429 cooldown runs, and fails over before the first token (see
 * providers/failover-generate.ts). `done.endpoint` names the provider that answered. ListModels
 * lists models with at least one configured offer; GetCapacity reports one endpoint per provider.
 */
export function createServerlessInferenceHandler(deps: ServerlessInferenceDeps): ServiceImpl<typeof InferenceService> {
  const logger = deps.logger ?? silentUpstreamLogger;
  const catalog = deps.catalog ?? ((): (() => PriceCatalog) => {
    const bundled = loadCatalog();
    return () => bundled;
  })();
  const single = deps.providers === undefined;
  const settings: readonly ProviderSettings[] = deps.providers ?? [legacySettings(deps)];
  const breaker: ProviderBreakerOptions = { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 2000, rollingWindowMs: 10_000, ...deps.breaker };
  let metrics: ProviderMetrics | undefined;
  const runtimes: ProviderRuntime[] = settings.map((s) =>
    createProviderRuntime(s, {
      breaker,
      connectTimeoutMs: deps.timeouts?.connectMs ?? 2000,
      onWait: (ms) => metrics?.queueWait.observe({ provider: s.name }, ms / 1000),
    }),
  );
  const ttft = createProviderTtft({
    failoverMinMs: deps.failoverFirstTokenMinMs ?? 250,
    failoverMaxMs: deps.failoverFirstTokenMs ?? 1000,
    firstTokenMinMs: deps.firstTokenMinMs ?? 2000,
    firstTokenMaxMs: deps.timeouts?.firstTokenMs || 30_000,
  });
  if (deps.registry) metrics = createProviderMetrics(deps.registry, () => runtimes, ttft);
  const names = settings.map((s) => s.name);
  const expectedCompletion = new Map<string, number>(); // per catalog model: bounded by the catalog

  /** The offer a provider makes for a model: the catalog's; in one-provider mode the model map decides the name, over the reference price when the catalog has no offer. */
  const offerOf = (runtime: ProviderRuntime, modelId: string): ProviderOffer | undefined => {
    const model = catalog().findModel(modelId);
    const listed = model?.offers.find((o) => o.provider === runtime.settings.name);
    if (!single) return listed;
    const mapped = deps.modelMap ? deps.modelMap(modelId) : (listed?.providerModel ?? modelId);
    if (mapped === undefined) return undefined;
    if (listed !== undefined) return { ...listed, providerModel: mapped };
    const ref = model?.serverless;
    return {
      provider: runtime.settings.name,
      providerModel: mapped,
      inputMicroUsdPerMTok: ref?.inputMicroUsdPerMTok ?? 0,
      outputMicroUsdPerMTok: ref?.outputMicroUsdPerMTok ?? 0,
      cachedInputMicroUsdPerMTok: ref?.inputMicroUsdPerMTok ?? 0,
      contextWindow: model?.contextWindow ?? Number.MAX_SAFE_INTEGER,
      maxOutputTokens: model?.maxOutputTokens ?? Number.MAX_SAFE_INTEGER,
      features: ALL_FEATURES,
    };
  };

  const legacyModels = single
    ? createModelListCache({
        load: () => listUpstreamModels({ baseUrl: settings[0]!.baseUrl, ...(settings[0]!.apiKey ? { apiKey: settings[0]!.apiKey } : {}) }),
        ...(deps.modelsCacheTtlMs !== undefined ? { ttlMs: deps.modelsCacheTtlMs } : {}),
        onStale: (err) => logger.warn({ err, provider: settings[0]!.name }, 'model list refresh failed; serving the cached list'),
      })
    : undefined;
  const offeredModels = (runtime: ProviderRuntime): string[] =>
    deps.models !== undefined ? deps.models.filter((id) => offerOf(runtime, id) !== undefined) : catalog().models.filter((m) => offerOf(runtime, m.id) !== undefined).map((m) => m.id);

  return {
    async *generate(request, context) {
      // An empty model lets the one provider choose (validation downstream names the field).
      const candidates = runtimes.flatMap((runtime) => {
        const offer = request.model === '' && single ? { ...offerOf(runtime, '')!, providerModel: '' } : offerOf(runtime, request.model);
        return offer === undefined ? [] : [{ runtime, offer }];
      });
      if (candidates.length === 0) {
        throw new ConnectError(`model "${request.model}" is not offered by any configured serverless provider (${names.join(', ')})`, Code.NotFound);
      }
      const prefs = providerPrefsFrom(request.provider, names, deps.tenantPrefs?.(request.tenant) ?? DEFAULT_PROVIDER_PREFS);
      const now = Date.now();
      const promptTokens = promptTokenEstimate(request.messages);
      const maxTokens = request.params?.maxTokens;
      const usual = expectedCompletion.get(request.model) ?? 256;
      // The request's own mix when the router knows it (the ledger's figures for its tenant and
      // workload), else this model's running mean here; max_tokens caps either.
      const expected = request.expectedCompletionTokens > 0 ? request.expectedCompletionTokens : usual;
      const ranking = rankOffers({
        model: request.model,
        candidates: candidates.map(({ runtime, offer }) => {
          const u = runtime.unavailable(now);
          const ttft = runtime.ttftMs();
          const tps = runtime.tokensPerSecond();
          return {
            offer,
            ...(u === undefined ? {} : { unavailable: u.reason === 'breaker_open' ? 'circuit breaker open' : `rate-limited for ${u.untilMs - now} ms` }),
            ...(ttft === undefined ? {} : { ttftMs: ttft }),
            ...(tps === undefined ? {} : { tokensPerSecond: tps }),
          };
        }),
        prefs,
        needs: new Set(requestNeeds(request.messages, request.params).map((n) => n.feature)),
        promptTokens,
        expectedCompletionTokens: maxTokens === undefined ? expected : Math.min(maxTokens, expected),
        // The tenant's workload's recorded prompt-cache hit share (the router fills it in from the ledger).
        cachedShare: Math.min(1, Math.max(0, request.expectedCachedPromptShare)),
      });
      const byName = new Map(runtimes.map((r) => [r.settings.name, r] as const));
      // yield*: no stream wrapper of this handler's own per token.
      yield* generateWithFailover({
        request,
        context,
        candidates: ranking.order.map((offer) => ({ runtime: byName.get(offer.provider)!, offer })),
        timeouts: deps.timeouts ?? {},
        ttft,
        logger,
        ...(metrics ? { metrics } : {}),
        skipped: ranking.skipped.map((s) => `${s.provider}: ${s.why}`),
        onCompleted: (tokens) => expectedCompletion.set(request.model, Math.round(usual * 0.8 + tokens * 0.2)),
      });
    },

    async embed(request, context) {
      const model = catalog().findModel(request.model);
      if (model === undefined || model.kind !== 'embeddings') throw new ConnectError(`model: "${request.model}" is not an embeddings model of the catalog`, Code.NotFound);
      const candidates = runtimes.flatMap((runtime) => {
        const offer = offerOf(runtime, model.id);
        return offer === undefined ? [] : [{ runtime, offer }];
      });
      if (candidates.length === 0) throw new ConnectError(`model "${model.id}" is not offered by any configured serverless provider (${names.join(', ')})`, Code.NotFound);
      const { endpoint, ...rest } = await embedWithFailover(request, context, candidates, { timeouts: deps.timeouts ?? {}, logger });
      return { ...rest, endpoint };
    },

    async listModels() {
      if (legacyModels && deps.models === undefined) {
        const models = await legacyModels.get();
        return { models: models.map((id) => ({ id, backend: Backend.SERVERLESS, endpoints: [names[0]!] })) };
      }
      const ids = deps.models ?? catalog().models.map((m) => m.id);
      const models = ids.flatMap((id) => {
        const endpoints = runtimes.filter((r) => offerOf(r, id) !== undefined).map((r) => r.settings.name);
        return endpoints.length === 0 ? [] : [{ id, backend: Backend.SERVERLESS, endpoints }];
      });
      return { models };
    },

    getCapacity() {
      const now = Date.now();
      const endpoints = runtimes.map((r) =>
        create(EndpointCapacitySchema, {
          endpoint: r.settings.name,
          healthy: r.unavailable(now)?.reason !== 'breaker_open',
          requestsRunning: r.gate.inFlight(),
          requestsWaiting: r.gate.depth(),
          kvCacheUsage: 0,
          models: legacyModels && deps.models === undefined ? [...(legacyModels.peek() ?? [])] : offeredModels(r),
          lastError: r.lastError(),
        }),
      );
      return {
        backend: Backend.SERVERLESS,
        endpoints,
        healthyEndpoints: endpoints.filter((e) => e.healthy).length,
        totalRunning: endpoints.reduce((n, e) => n + e.requestsRunning, 0),
        totalWaiting: endpoints.reduce((n, e) => n + e.requestsWaiting, 0),
      };
    },
  };
}

/** The one provider of `SOPHIA_SERVERLESS_BASE_URL` configuration. */
function legacySettings(deps: ServerlessInferenceDeps): ProviderSettings {
  if (deps.baseUrl === undefined) throw new Error('serverless-inference: either providers or baseUrl is required');
  const baseUrl = apiUrl(deps.baseUrl, 'x').href.replace(/\/x$/, ''); // validates early, normalises
  return {
    name: deps.providerName ?? new URL(baseUrl).host,
    baseUrl,
    ...(deps.apiKey ? { apiKey: deps.apiKey } : {}),
    http2: false,
    ...DEFAULT_CONCURRENCY,
  };
}
