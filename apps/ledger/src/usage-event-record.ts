// Validates a wire UsageEvent and prices it into the UsageRecord the store keeps. All input checks
// live here so the handler stays a thin adapter.
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';
import type { UsageEvent } from '@sophia/contracts/ledger';
import {
  backendFromProto,
  CatalogLookupError,
  priceUsage,
  tierFromProto,
  type CatalogBackend,
  type CatalogModel,
  type PriceCatalog,
} from '@sophia/price-catalog';
import { fieldError } from './field-error.ts';
import { MAX_EVENT_TIME_MS, type UsageRecord } from './usage-store.ts';

/** Longest id, tenant, tag or target accepted; keeps keys and rows bounded. */
export const MAX_TEXT_LENGTH = 256;

function requireText(value: string, field: string): string {
  if (value.trim() === '') throw fieldError(field, 'is required');
  if (value.length > MAX_TEXT_LENGTH) throw fieldError(field, `is longer than ${MAX_TEXT_LENGTH} characters`);
  return value;
}

function optionalText(value: string, field: string): string {
  if (value.length > MAX_TEXT_LENGTH) throw fieldError(field, `is longer than ${MAX_TEXT_LENGTH} characters`);
  return value;
}

/** Looks a model up, as NOT_FOUND naming the model when the catalog does not have it. */
export function requireModel(catalog: PriceCatalog, id: string, field: string): CatalogModel {
  requireText(id, field);
  const model = catalog.findModel(id);
  if (model === undefined) {
    throw fieldError(field, `model '${id}' is not in price catalog ${catalog.version}`, Code.NotFound);
  }
  return model;
}

/** The catalog backend of a wire backend, which the model must be offered on. */
export function requireBackend(model: CatalogModel, backend: number, field: string): CatalogBackend {
  const name = backendFromProto(backend);
  if (name === undefined) {
    throw fieldError(field, backend === 0 ? 'is required (BACKEND_SERVERLESS or BACKEND_GPU)' : `unknown backend ${backend}`);
  }
  if (model[name] === undefined) throw fieldError(field, `model '${model.id}' is not offered on backend '${name}'`);
  return name;
}

/** Maps pricing failures that slipped past the checks above to the right status. */
export function rethrowLookup(error: unknown): never {
  if (error instanceof CatalogLookupError) {
    throw fieldError('model', error.message, error.reason === 'unknown_model' ? Code.NotFound : Code.InvalidArgument);
  }
  if (error instanceof RangeError) throw fieldError('usage', error.message);
  throw error;
}

/**
 * Validates `event` against the catalog and prices it.
 * @throws ConnectError INVALID_ARGUMENT / NOT_FOUND whose message starts with the field path
 */
export function usageEventToRecord(event: UsageEvent | undefined, catalog: PriceCatalog, now: Date): UsageRecord {
  if (event === undefined) throw fieldError('event', 'is required');
  const requestId = requireText(event.requestId, 'event.request_id');
  const tenant = requireText(event.tenant, 'event.tenant');
  const model = requireModel(catalog, event.model, 'event.model');
  const backend = requireBackend(model, event.backend, 'event.backend');
  let tier = model.tier;
  if (event.tier !== 0) {
    const named = tierFromProto(event.tier);
    if (named === undefined) throw fieldError('event.tier', `unknown tier ${event.tier}`);
    tier = named;
  }
  if (event.usage === undefined) throw fieldError('event.usage', 'is required');
  const { promptTokens, completionTokens, cachedPromptTokens } = event.usage;
  if (cachedPromptTokens > promptTokens) throw fieldError('event.usage.cached_prompt_tokens', `${cachedPromptTokens} exceeds prompt_tokens (${promptTokens})`);
  const timeMs = event.time === undefined ? now.getTime() : Math.floor(timestampMs(event.time));
  if (!Number.isSafeInteger(timeMs) || timeMs < 0 || timeMs > MAX_EVENT_TIME_MS) {
    throw fieldError('event.time', 'must be between 1970-01-01 and year 33658');
  }
  let costMicroUsd: number;
  try {
    costMicroUsd = priceUsage(catalog, model.id, backend, { promptTokens, completionTokens, cachedPromptTokens }, event.provider || undefined);
  } catch (error) {
    rethrowLookup(error);
  }
  return {
    requestId,
    tenant,
    model: model.id,
    backend,
    tier,
    promptTokens,
    completionTokens,
    // A cache hit called no upstream: billed at zero, its price kept as the saving.
    costMicroUsd: event.cacheHit ? 0 : costMicroUsd,
    ...(event.cacheHit ? { cacheSavedMicroUsd: costMicroUsd } : {}),
    catalogVersion: catalog.version,
    timeMs,
    latencyMs: event.latencyMs,
    fallback: event.fallback,
    completed: event.completed,
    workloadTag: optionalText(event.workloadTag, 'event.workload_tag'),
    target: optionalText(event.target, 'event.target'),
    ...(event.provider === '' ? {} : { provider: optionalText(event.provider, 'event.provider') }),
    ...(cachedPromptTokens > 0 ? { cachedPromptTokens } : {}),
  };
}
