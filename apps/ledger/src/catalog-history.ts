// Remembers, per (model, backend), the latest catalog that offered it, so usage of requests already
// in flight when a reload removes their model is still billed at its last price — with that
// catalog's version on the record — instead of being rejected and lost. Quotes use only the current
// catalog: nothing new should be started on a removed model.
import type { CatalogBackend, PriceCatalog } from '@sophia/price-catalog';

/** The current catalog plus the last catalog seen offering each model on each backend. */
export interface CatalogHistory {
  current(): PriceCatalog;
  /** The catalog to price usage with: the current one if it offers the pair, else the latest that did. */
  forUsage(modelId: string, backend: CatalogBackend | undefined): PriceCatalog;
}

/** Wraps a catalog getter; each catalog is indexed when this process first sees it (the first at once). */
export function createCatalogHistory(catalog: () => PriceCatalog): CatalogHistory {
  let seen: PriceCatalog | undefined;
  const lastOffering = new Map<string, PriceCatalog>();
  const pairKey = (modelId: string, backend: CatalogBackend): string => `${backend}\u0000${modelId}`;

  const current = (): PriceCatalog => {
    const c = catalog();
    if (c !== seen) {
      seen = c;
      for (const m of c.models) {
        if (m.serverless !== undefined) lastOffering.set(pairKey(m.id, 'serverless'), c);
        if (m.gpu !== undefined) lastOffering.set(pairKey(m.id, 'gpu'), c);
      }
    }
    return c;
  };

  current(); // index the catalog the process starts with
  return {
    current,
    forUsage(modelId, backend) {
      const c = current();
      if (backend === undefined) return c;
      const offered = c.findModel(modelId)?.[backend] !== undefined;
      return offered ? c : (lastOffering.get(pairKey(modelId, backend)) ?? c);
    },
  };
}
