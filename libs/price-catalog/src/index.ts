// Public API of @sophia/price-catalog.
export {
  CATALOG_BACKENDS,
  CATALOG_TIERS,
  type CatalogBackend,
  type CatalogModel,
  type CatalogProvider,
  type CatalogTier,
  type GpuAlternate,
  type GpuInstance,
  type GpuOffer,
  type ModelKind,
  type OfferFeature,
  type ProviderOffer,
  type PriceCatalog,
  type ServerlessOffer,
} from './price-catalog.ts';
export { CatalogLookupError, CatalogValidationError, type CatalogIssue, type LookupFailure } from './catalog-errors.ts';
export { catalogFileSchema, MODEL_KINDS, OFFER_FEATURES, type CatalogFile } from './catalog-schema.ts';
export { requestNeeds, targetFeatures, type FeatureNeed } from './request-needs.ts';
export { parseCatalog, formatJsonPath } from './parse-catalog.ts';
export { loadCatalog, parseCatalogText } from './load-catalog.ts';
export { createCatalogWatcher, type CatalogWatcher, type CatalogWatcherOptions } from './catalog-watcher.ts';
export {
  billedPromptBound,
  DEFAULT_PROMPT_BOUND,
  listPrice,
  priceUsage,
  unitPrice,
  worstCase,
  type ListPrice,
  type PromptTokenLine,
  type TokenUsage,
  type UnitPrice,
} from './price-usage.ts';
export { exactCeilDiv } from './exact-ceil-div.ts';
export { backendFromProto, backendToProto, tierFromProto, tierToProto } from './proto-mapping.ts';
export { withGpuPrices } from './with-gpu-prices.ts';
export { fetchLambdaInstancePrices, lambdaInstanceTypesSchema, LambdaPriceError, type LambdaPriceOptions } from './lambda-instance-prices.ts';
