// The simulator's instance types from the price catalog: same names and prices as the fleet plans
// with, GPUs from the Lambda naming scheme (`gpu_8x_h100_sxm5` → 8).
import type { PriceCatalog } from '@sophia/price-catalog';
import type { SimInstanceType } from './lambda-cloud-simulator.ts';

/** One SimInstanceType per catalog GPU instance. */
export function simInstanceTypes(catalog: PriceCatalog): SimInstanceType[] {
  return catalog.gpuInstances.map((g) => ({
    name: g.name,
    description: g.description,
    priceCentsPerHour: Math.round(g.microUsdPerHour / 10_000),
    gpus: Number(/^gpu_(\d+)x_/.exec(g.name)?.[1] ?? 1),
  }));
}
