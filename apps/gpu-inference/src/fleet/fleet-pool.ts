// A pool is the GPU capacity of one tier: the tier's first catalog model that has a GPU offer, the
// instance type that serves it (and the alternates launches fall back to when it has no capacity),
// and the serverless price of the same work (for break-even).
import type { CatalogTier, PriceCatalog } from '@sophia/price-catalog';

/** One instance type able to serve a pool's model. */
export interface FleetInstanceOption {
  readonly instanceType: string;
  readonly microUsdPerHour: number;
  /** Saturated vLLM output tokens per minute of one instance of this type. */
  readonly outputTokPerMinute: number;
}

/** What the fleet needs to know about one tier's GPU pool; computed once from the catalog. */
export interface FleetPool {
  readonly tier: CatalogTier;
  /** Catalog model id served by the pool. */
  readonly modelId: string;
  /** Name vLLM serves it under (`--served-model-name`), checked on /v1/models before joining the pool. */
  readonly servedModel: string;
  readonly instanceType: string;
  readonly microUsdPerHour: number;
  /** Saturated vLLM output tokens per minute of one instance (catalog throughput × 60). */
  readonly outputTokPerMinute: number;
  /**
   * Every instance type that serves the model, the catalog's own first, then its alternates in order:
   * what a launch tries when a type has no capacity in any region. The controller sizes and launches
   * with the option `instance-choice.ts` picks for the load (re-basing the pool on it, `poolWithOption`).
   */
  readonly instanceOptions: readonly FleetInstanceOption[];
  /** Serverless price of the tier's first serverless model, micro-USD per million tokens; absent when none. */
  readonly serverless?: { readonly modelId: string; readonly inputMicroUsdPerMTok: number; readonly outputMicroUsdPerMTok: number };
}

/** The pools of every tier that has a GPU-served model, in tier order. */
export function fleetPoolsFromCatalog(catalog: PriceCatalog): FleetPool[] {
  const pools: FleetPool[] = [];
  for (const tier of ['simple', 'balanced', 'complex'] as const) {
    const models = catalog.modelsForTier(tier);
    const gpuModel = models.find((m) => m.gpu !== undefined);
    if (gpuModel?.gpu === undefined) continue;
    const serverlessModel = models.find((m) => m.serverless !== undefined);
    pools.push({
      tier,
      modelId: gpuModel.id,
      servedModel: gpuModel.gpu.servedModel,
      instanceType: gpuModel.gpu.instance.name,
      microUsdPerHour: gpuModel.gpu.instance.microUsdPerHour,
      outputTokPerMinute: gpuModel.gpu.outputTokPerSec * 60,
      instanceOptions: [gpuModel.gpu, ...gpuModel.gpu.alternates].map((o) => ({
        instanceType: o.instance.name,
        microUsdPerHour: o.instance.microUsdPerHour,
        outputTokPerMinute: o.outputTokPerSec * 60,
      })),
      ...(serverlessModel?.serverless
        ? {
            serverless: {
              modelId: serverlessModel.id,
              inputMicroUsdPerMTok: serverlessModel.serverless.inputMicroUsdPerMTok,
              outputMicroUsdPerMTok: serverlessModel.serverless.outputMicroUsdPerMTok,
            },
          }
        : {}),
    });
  }
  return pools;
}

/** Serverless cost of `prompt` + `completion` tokens on the pool's tier, in (fractional) micro-USD. */
export function serverlessMicroUsd(pool: FleetPool, promptTokens: number, completionTokens: number): number {
  const s = pool.serverless;
  if (s === undefined) return Number.POSITIVE_INFINITY;
  return (promptTokens * s.inputMicroUsdPerMTok + completionTokens * s.outputMicroUsdPerMTok) / 1_000_000;
}

/**
 * The pool sized, priced and launched as `option`: that type first, the others kept as capacity
 * fallbacks in catalog order. How the controller applies the instance-type choice for one tick.
 */
export function poolWithOption(pool: FleetPool, option: FleetInstanceOption): FleetPool {
  return {
    ...pool,
    instanceType: option.instanceType,
    microUsdPerHour: option.microUsdPerHour,
    outputTokPerMinute: option.outputTokPerMinute,
    instanceOptions: [option, ...pool.instanceOptions.filter((o) => o.instanceType !== option.instanceType)],
  };
}

/**
 * Saturated output tok/min of one instance of `instanceType` serving the pool's model: what a live
 * instance adds to the pool's capacity whatever type it got. A type the catalog no longer lists for
 * the model counts at the pool's first type.
 */
export function instanceThroughput(pool: FleetPool, instanceType: string): number {
  return pool.instanceOptions.find((o) => o.instanceType === instanceType)?.outputTokPerMinute ?? pool.outputTokPerMinute;
}
