// The validated, integer-priced view of data/catalog.json that every service shares. Prices are
// integer micro-USD (1 USD = 1,000,000) so that sums are exact; the JSON file stays in decimal USD
// because people edit it.

/** Complexity tiers as named in the catalog; the proto `Tier` enum maps onto these. */
export const CATALOG_TIERS = ['simple', 'balanced', 'complex'] as const;
export type CatalogTier = (typeof CATALOG_TIERS)[number];

/** Where a request is served; the proto `Backend` enum maps onto these. */
export const CATALOG_BACKENDS = ['serverless', 'gpu'] as const;
export type CatalogBackend = (typeof CATALOG_BACKENDS)[number];

/** A GPU instance type and its on-demand price, so self-hosted tokens can be priced per hour. */
export interface GpuInstance {
  readonly name: string;
  readonly description: string;
  readonly microUsdPerHour: number;
  readonly assumption?: string;
}

/**
 * A model's reference serverless price: what a token costs when the provider that served it is not
 * known (one-provider deployments on a custom URL, break-even, pricing without a provider). When the
 * catalog entry lists offers and gives no explicit prices it is derived from them — the cheapest offer
 * at an equal input/output mix — so it cannot go stale beside them.
 */
export interface ServerlessOffer {
  /** Key into `PriceCatalog.providers`; absent means "whichever provider the inference service is configured for". */
  readonly provider?: string;
  /** Model name the provider expects in the `model` field. */
  readonly providerModel: string;
  readonly inputMicroUsdPerMTok: number;
  readonly outputMicroUsdPerMTok: number;
  /** Prompt tokens served from the provider's cache; equals the input price when it gives no discount. */
  readonly cachedInputMicroUsdPerMTok: number;
}

/**
 * A request feature a target may support: OpenAI tools, JSON mode / structured outputs, logprobs,
 * image input, frequency/presence penalties, logit_bias, seed, n > 1, reasoning_effort.
 */
export type OfferFeature = 'tools' | 'json' | 'logprobs' | 'vision' | 'penalties' | 'logit_bias' | 'seed' | 'n' | 'reasoning';

/** What a model does: chat completions or embedding vectors. */
export type ModelKind = 'chat' | 'embeddings';

/**
 * One provider's pay-per-token offer for a model, priced in integer micro-USD. The serverless
 * backend ranks a model's offers across the configured providers; the ledger prices usage with the
 * offer of the provider that answered.
 */
export interface ProviderOffer {
  /** Key into `PriceCatalog.providers`. */
  readonly provider: string;
  readonly providerModel: string;
  readonly inputMicroUsdPerMTok: number;
  readonly outputMicroUsdPerMTok: number;
  /** Prompt tokens served from the provider's cache; equals the input price when it gives no discount. */
  readonly cachedInputMicroUsdPerMTok: number;
  readonly contextWindow: number;
  readonly maxOutputTokens: number;
  readonly features: ReadonlySet<OfferFeature>;
  /** Where the price was read and when (YYYY-MM-DD); absent when `assumption` explains an estimate. */
  readonly source?: string;
  readonly readOn?: string;
  readonly assumption?: string;
}

/** Self-hosted vLLM serving of a model; priced by amortising the instance hour over its throughput. */
export interface GpuOffer {
  readonly instance: GpuInstance;
  /** Saturated vLLM output tokens per second on `instance` (integer). */
  readonly outputTokPerSec: number;
  /** Model name vLLM serves (`--served-model-name`). */
  readonly servedModel: string;
  /** Request features the vLLM serving supports. */
  readonly features: ReadonlySet<OfferFeature>;
  /** Other instance types that serve the same model, in the order launches try them (may be empty). */
  readonly alternates: readonly GpuAlternate[];
}

/** An instance type a GPU offer can fall back to when its own type has no capacity. */
export interface GpuAlternate {
  readonly instance: GpuInstance;
  /** Saturated vLLM output tokens per second on `instance` (integer). */
  readonly outputTokPerSec: number;
  readonly assumption?: string;
}

/** One model the mesh can route to, with its price on each backend that offers it. */
export interface CatalogModel {
  readonly id: string;
  readonly kind: ModelKind;
  /** Embeddings models and `autoRoute: false` ones: their price class only (they are in no tier list). */
  readonly tier: CatalogTier;
  /** In its tier's list, so automatic routing picks it (false: named explicitly, or reached through a feature only it has). */
  readonly autoRoute: boolean;
  /** Embeddings models: vector length (undefined when the catalog does not say). */
  readonly dimensions?: number;
  readonly ownedBy: string;
  readonly contextWindow: number;
  /** Largest completion the mesh asks for; the worst-case quote uses it when max_tokens is unset. */
  readonly maxOutputTokens: number;
  /** The reference serverless rate card (budget worst cases; usage whose provider has no offer). */
  readonly serverless?: ServerlessOffer;
  /** Every provider's offer, in file order (empty when none are listed). */
  readonly offers: readonly ProviderOffer[];
  readonly gpu?: GpuOffer;
  /** Figures in this entry that are estimates rather than published prices. */
  readonly assumptions: readonly string[];
}

/** An OpenAI-compatible provider's endpoint; `deprecated` providers must not be depended upon. */
export interface CatalogProvider {
  readonly baseUrl: string;
  readonly deprecated?: string;
  /** Speaks HTTP/2 (TLS + ALPN), so one connection can carry many streams. */
  readonly http2?: boolean;
}

/** The whole catalog, immutable; replace it as a whole on reload. */
export interface PriceCatalog {
  readonly version: string;
  readonly source: string;
  readonly models: readonly CatalogModel[];
  readonly gpuInstances: readonly GpuInstance[];
  /** Model ids per tier in preference order (first choice first). */
  readonly tiers: Readonly<Record<CatalogTier, readonly string[]>>;
  readonly providers: Readonly<Record<string, CatalogProvider>>;
  /** The model with this id, or undefined. */
  findModel(id: string): CatalogModel | undefined;
  /** The tier's models in preference order. */
  modelsForTier(tier: CatalogTier): readonly CatalogModel[];
}
