// Maps between the wire enums (@sophia/contracts/common) and the catalog's string names, in one
// place, so no service hand-rolls `Tier.SIMPLE → 'simple'` with its own idea of UNSPECIFIED.
import { Backend, Tier } from '@sophia/contracts/common';
import type { CatalogBackend, CatalogTier } from './price-catalog.ts';

const TIER_NAMES = new Map<Tier, CatalogTier>([
  [Tier.SIMPLE, 'simple'],
  [Tier.BALANCED, 'balanced'],
  [Tier.COMPLEX, 'complex'],
]);
const TIER_VALUES: Record<CatalogTier, Tier> = { simple: Tier.SIMPLE, balanced: Tier.BALANCED, complex: Tier.COMPLEX };

const BACKEND_NAMES = new Map<Backend, CatalogBackend>([
  [Backend.SERVERLESS, 'serverless'],
  [Backend.GPU, 'gpu'],
]);
const BACKEND_VALUES: Record<CatalogBackend, Backend> = { serverless: Backend.SERVERLESS, gpu: Backend.GPU };

/** The catalog tier for a wire tier; undefined for UNSPECIFIED or an unknown number. */
export function tierFromProto(tier: Tier): CatalogTier | undefined {
  return TIER_NAMES.get(tier);
}

/** The wire tier for a catalog tier. */
export function tierToProto(tier: CatalogTier): Tier {
  return TIER_VALUES[tier];
}

/** The catalog backend for a wire backend; undefined for UNSPECIFIED or an unknown number. */
export function backendFromProto(backend: Backend): CatalogBackend | undefined {
  return BACKEND_NAMES.get(backend);
}

/** The wire backend for a catalog backend. */
export function backendToProto(backend: CatalogBackend): Backend {
  return BACKEND_VALUES[backend];
}
