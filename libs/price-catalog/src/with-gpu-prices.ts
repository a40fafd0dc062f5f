// Replaces the $/hour of GPU instance types (e.g. with live prices from the Lambda Cloud API) and
// re-links every model's GPU offer to the repriced instance, returning a new immutable catalog.
import type { CatalogModel, CatalogTier, GpuInstance, PriceCatalog } from './price-catalog.ts';

/**
 * `catalog` with the hourly price of each instance named in `microUsdPerHour` replaced; instance
 * types the map does not name keep their catalog price. The version becomes `<version>+<suffix>`
 * so usage records show which prices billed them.
 * @throws RangeError when a price is not a non-negative safe integer
 */
export function withGpuPrices(catalog: PriceCatalog, microUsdPerHour: ReadonlyMap<string, number>, versionSuffix: string): PriceCatalog {
  for (const [name, price] of microUsdPerHour) {
    if (!Number.isSafeInteger(price) || price < 0) throw new RangeError(`price of ${name} must be a non-negative integer of micro-USD, got ${price}`);
  }
  const instances = new Map<string, GpuInstance>(
    catalog.gpuInstances.map((g) => {
      const price = microUsdPerHour.get(g.name);
      return [g.name, price === undefined ? g : Object.freeze({ ...g, microUsdPerHour: price })];
    }),
  );
  const models = catalog.models.map((m): CatalogModel => {
    if (m.gpu === undefined) return m;
    const instance = instances.get(m.gpu.instance.name) ?? m.gpu.instance;
    const alternates = m.gpu.alternates.map((a) => Object.freeze({ ...a, instance: instances.get(a.instance.name) ?? a.instance }));
    return Object.freeze({ ...m, gpu: Object.freeze({ ...m.gpu, instance, alternates: Object.freeze(alternates) }) });
  });
  const byId = new Map(models.map((m) => [m.id, m] as const));
  return Object.freeze({
    version: `${catalog.version}+${versionSuffix}`,
    source: catalog.source,
    models: Object.freeze(models),
    gpuInstances: Object.freeze([...instances.values()]),
    tiers: catalog.tiers,
    providers: catalog.providers,
    findModel: (id: string) => byId.get(id),
    modelsForTier: (tier: CatalogTier) => catalog.tiers[tier].map((id) => byId.get(id)).filter((m): m is CatalogModel => m !== undefined),
  });
}
