// The on-disk shape of data/catalog.json, in decimal USD as people write it. Objects are strict so
// that a misspelt key ("inputUsdPerMtok") is an error naming its path instead of a silent zero.
import { z } from 'zod';
import { CATALOG_TIERS } from './price-catalog.ts';

const usd = z.number().finite().nonnegative();
const nonEmpty = z.string().trim().min(1);

// The reference rate card. Prices may be left out when the model lists offers: they are then derived
// from the offers (the cheapest at an equal input/output mix), so they cannot go stale beside them.
const serverlessSchema = z.strictObject({
  provider: nonEmpty.optional(),
  /** Model name a one-provider deployment asks for; unset = the derived offer's. */
  providerModel: nonEmpty.optional(),
  inputUsdPerMTok: usd.optional(),
  outputUsdPerMTok: usd.optional(),
});

/**
 * Request features an offer (or the GPU serving) may support; a request needing one goes only to
 * targets that list it, and an explicit model with no such target is a 400 naming the parameter.
 * Parameters every OpenAI-compatible upstream takes (max_tokens, temperature, top_p, stop, user)
 * need no feature.
 */
export const OFFER_FEATURES = ['tools', 'json', 'logprobs', 'vision', 'penalties', 'logit_bias', 'seed', 'n', 'reasoning'] as const;

/** What a model does: chat completions, or embedding vectors (`/v1/embeddings`). */
export const MODEL_KINDS = ['chat', 'embeddings'] as const;

const readOn = z.iso.date({ message: 'expected the date the price was read, YYYY-MM-DD' });

// One provider's price for one model. A price is either sourced (`source` URL + `readOn` date) or
// an `assumption` saying why it is an estimate — never neither.
const offerSchema = z.strictObject({
  provider: nonEmpty,
  providerModel: nonEmpty,
  inputUsdPerMTok: usd,
  outputUsdPerMTok: usd,
  /** Price of prompt tokens the provider serves from its prompt cache; unset = no discount. */
  cachedInputUsdPerMTok: usd.optional(),
  /** Unset = the model's contextWindow / maxOutputTokens. */
  contextWindow: z.int().positive().optional(),
  maxOutputTokens: z.int().positive().optional(),
  features: z.array(z.enum(OFFER_FEATURES)),
  source: z.url({ protocol: /^https?$/ }).optional(),
  readOn: readOn.optional(),
  assumption: z.string().min(1).optional(),
});

/** Another instance type that serves the same model, tried in order when the first has no capacity. */
const gpuAlternateSchema = z.strictObject({
  instanceType: nonEmpty,
  outputTokPerSec: z.int().positive(),
  assumption: z.string().min(1).optional(),
});

const gpuSchema = z.strictObject({
  instanceType: nonEmpty,
  outputTokPerSec: z.int().positive(),
  servedModel: nonEmpty,
  /** Fallback instance types for launches when `instanceType` has no capacity anywhere. */
  alternates: z.array(gpuAlternateSchema).optional(),
  /** What the vLLM serving supports (tools need its tool parser flags). @default none */
  features: z.array(z.enum(OFFER_FEATURES)).optional(),
});

const modelSchema = z.strictObject({
  id: nonEmpty,
  /** @default "chat" */
  kind: z.enum(MODEL_KINDS).optional(),
  /** For an embeddings model or one with `autoRoute: false`: the price class only (it is in no `tiers` list). */
  tier: z.enum(CATALOG_TIERS),
  /** False: served only when named (or when a request needs a feature no tier model has); in no `tiers` list. @default true for chat */
  autoRoute: z.boolean().optional(),
  /** Embeddings models: length of the vectors. */
  dimensions: z.int().positive().optional(),
  ownedBy: nonEmpty,
  contextWindow: z.int().positive(),
  maxOutputTokens: z.int().positive(),
  serverless: serverlessSchema.optional(),
  /** Every provider's offer for this model (the serverless backend picks among the configured ones). */
  offers: z.array(offerSchema).optional(),
  gpu: gpuSchema.optional(),
  assumptions: z.array(z.string()).optional(),
});

const gpuInstanceSchema = z.strictObject({
  name: nonEmpty,
  description: z.string(),
  usdPerHour: usd,
  assumption: z.string().optional(),
});

const providerSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }),
  deprecated: z.string().optional(),
  /** The API speaks HTTP/2 over TLS (undici then negotiates h2 via ALPN). @default false */
  http2: z.boolean().optional(),
});

/** Schema of the catalog file; cross-references (tiers → models, gpu → instances) are checked in parseCatalog. */
export const catalogFileSchema = z.strictObject({
  $schema: z.string().optional(),
  version: nonEmpty,
  source: z.string(),
  currency: z.literal('USD').optional(),
  models: z.array(modelSchema).min(1),
  gpuInstances: z.array(gpuInstanceSchema),
  tiers: z.strictObject({
    simple: z.array(nonEmpty).min(1),
    balanced: z.array(nonEmpty).min(1),
    complex: z.array(nonEmpty).min(1),
  }),
  providers: z.record(nonEmpty, providerSchema),
});

/** The catalog file as written (decimal USD). */
export type CatalogFile = z.infer<typeof catalogFileSchema>;
