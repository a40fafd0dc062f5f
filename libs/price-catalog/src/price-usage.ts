// Pure pricing: what a request costs in integer micro-USD, from the catalog alone.
//
// Serverless: cost = ceil(((prompt − cached) × inMicroPerMTok + cached × cachedInMicroPerMTok
//   + completion × outMicroPerMTok) / 1e6); `cached` are the prompt tokens the provider served from
//   its prompt cache (reported as usage.prompt_tokens_details.cached_tokens).
// GPU (self-hosted vLLM): the instance hour amortised over its saturated output throughput —
//   cost = ceil(completion × microUsdPerHour / (outputTokPerSec × 3600)).
//   Input tokens are free on GPU: the throughput figure is measured with realistic prompts, so the
//   instance hour already pays for prefill; charging prompts as well would bill that hour twice.
// Every request is rounded up to a whole micro-USD (never under-bill), and totals are the exact sum
// of the per-request costs.
import { CatalogLookupError } from './catalog-errors.ts';
import { exactCeilDiv } from './exact-ceil-div.ts';
import type { CatalogBackend, CatalogModel, PriceCatalog } from './price-catalog.ts';

/** Token counts of one request, as the upstream reported them. */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Of `promptTokens`, those the provider served from its prompt cache (billed at the cached-input rate); absent = 0. */
  readonly cachedPromptTokens?: number;
}

/**
 * Price per token as an exact rational: input costs `inputNumerator / denominator` µ$ per token,
 * output `outputNumerator / denominator`. Rationals keep GPU amortisation exact (4.29 $/h over
 * 5,000 tok/s is 0.2383… µ$/token).
 */
export interface UnitPrice {
  readonly inputNumerator: number;
  readonly outputNumerator: number;
  /** Cached prompt tokens; never above `inputNumerator` (the catalog refuses a dearer cached price). */
  readonly cachedInputNumerator: number;
  readonly denominator: number;
}

/** List prices in micro-USD per million tokens, as quoted to clients (GPU rates rounded up). */
export interface ListPrice {
  readonly inputMicroUsdPerMTok: number;
  readonly outputMicroUsdPerMTok: number;
}

const MTOK = 1_000_000;
const SECONDS_PER_HOUR = 3600;

function requireModel(catalog: PriceCatalog, modelId: string): CatalogModel {
  const model = catalog.findModel(modelId);
  if (model === undefined) {
    throw new CatalogLookupError('unknown_model', modelId, `model '${modelId}' is not in price catalog ${catalog.version}`);
  }
  return model;
}

/**
 * The exact per-token price of a model on a backend. With `provider` (serverless only), the price of
 * that provider's offer when the catalog lists one; else the model's reference serverless price.
 * @throws CatalogLookupError (`unknown_model` or `backend_not_offered`)
 */
export function unitPrice(catalog: PriceCatalog, modelId: string, backend: CatalogBackend, provider?: string): UnitPrice {
  const model = requireModel(catalog, modelId);
  const offer = backend === 'serverless' && provider ? model.offers.find((o) => o.provider === provider) : undefined;
  const perMTok = offer ?? (backend === 'serverless' ? model.serverless : undefined);
  if (perMTok !== undefined) {
    return { inputNumerator: perMTok.inputMicroUsdPerMTok, outputNumerator: perMTok.outputMicroUsdPerMTok, cachedInputNumerator: perMTok.cachedInputMicroUsdPerMTok, denominator: MTOK };
  }
  if (backend === 'gpu' && model.gpu !== undefined) {
    const g = model.gpu;
    return { inputNumerator: 0, outputNumerator: g.instance.microUsdPerHour, cachedInputNumerator: 0, denominator: g.outputTokPerSec * SECONDS_PER_HOUR };
  }
  throw new CatalogLookupError('backend_not_offered', modelId, `model '${modelId}' is not offered on backend '${backend}'`);
}

function requireTokens(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${field} must be a non-negative integer, got ${value}`);
  return value;
}

/**
 * Cost of one request in integer micro-USD (see the file header for the formula); `provider` prices
 * a serverless answer at the offer of the provider that gave it (see {@link unitPrice}).
 * @throws CatalogLookupError for an unknown model or a backend the model is not offered on
 * @throws RangeError for negative or fractional token counts
 */
export function priceUsage(catalog: PriceCatalog, modelId: string, backend: CatalogBackend, usage: TokenUsage, provider?: string): number {
  const price = unitPrice(catalog, modelId, backend, provider);
  const prompt = requireTokens(usage.promptTokens, 'promptTokens');
  const completion = requireTokens(usage.completionTokens, 'completionTokens');
  const cached = requireTokens(usage.cachedPromptTokens ?? 0, 'cachedPromptTokens');
  if (cached > prompt) throw new RangeError(`cachedPromptTokens (${cached}) exceeds promptTokens (${prompt})`);
  return exactCeilDiv(prompt - cached, price.inputNumerator, completion, price.outputNumerator, price.denominator, cached, price.cachedInputNumerator);
}

/**
 * Most a request can cost: the prompt (none of it cached — a cached token never costs more than an
 * uncached one) plus every allowed completion token, at the dearest price the
 * request can be answered at (on serverless, the reference rate card or any provider's offer,
 * whichever costs more). Without `maxTokens` the model's `maxOutputTokens` is assumed, so callers
 * should always send max_tokens upstream. `promptTokens` is what the provider may bill — pass
 * {@link billedPromptBound} of a local estimate.
 */
export function worstCase(
  catalog: PriceCatalog,
  modelId: string,
  backend: CatalogBackend,
  promptTokens: number,
  maxTokens?: number,
): number {
  const model = requireModel(catalog, modelId);
  const usage = { promptTokens, completionTokens: maxTokens ?? model.maxOutputTokens };
  const providers = backend === 'serverless' ? model.offers.map((o) => o.provider) : [];
  return Math.max(priceUsage(catalog, modelId, backend, usage), ...providers.map((p) => priceUsage(catalog, modelId, backend, usage, p)));
}

/**
 * How a provider's prompt count can exceed a local estimate: `ceil(estimate × ratio) + overheadTokens`
 * (its tokenizer differs from the local o200k count by a ratio; its chat template adds a fixed number
 * of tokens per request). A bound is a list of such lines; the billed count is assumed to be at most
 * the highest of them.
 */
export interface PromptTokenLine {
  readonly ratio: number;
  readonly overheadTokens: number;
}

/**
 * Used until a model has calibration history: 25 % tokenizer difference plus 64 template tokens.
 * A Llama 3.1 chat template adds ~30 tokens to a short prompt and Llama/Qwen tokenizers count
 * English within ~10–20 % of o200k; the margin covers both with room.
 */
export const DEFAULT_PROMPT_BOUND: readonly PromptTokenLine[] = [{ ratio: 1.25, overheadTokens: 64 }];

/** The most prompt tokens a provider may bill for a prompt estimated locally at `estimate`. */
export function billedPromptBound(estimate: number, lines: readonly PromptTokenLine[] = DEFAULT_PROMPT_BOUND): number {
  let bound = estimate;
  for (const line of lines) bound = Math.max(bound, Math.ceil(estimate * line.ratio) + line.overheadTokens);
  return bound;
}

/** Per-million-token list prices for display and quotes; GPU rates are rounded up to a whole micro-USD. */
export function listPrice(catalog: PriceCatalog, modelId: string, backend: CatalogBackend): ListPrice {
  const p = unitPrice(catalog, modelId, backend);
  return {
    inputMicroUsdPerMTok: exactCeilDiv(MTOK, p.inputNumerator, 0, 0, p.denominator),
    outputMicroUsdPerMTok: exactCeilDiv(MTOK, p.outputNumerator, 0, 0, p.denominator),
  };
}
