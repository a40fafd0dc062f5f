// Serverless vs GPU break-even per workload tag and model: what the last N days of tokens cost at
// serverless list prices against renting enough GPU instances (catalog throughput) for the whole
// window, and the daily output volume at which one instance pays for itself.
import { priceUsage, type PriceCatalog } from '@sophia/price-catalog';

/** Token volume of one (workload tag, model) over the window. */
export interface BreakEvenVolume {
  readonly workloadTag: string;
  readonly model: string;
  readonly requests: bigint;
  readonly promptTokens: bigint;
  readonly completionTokens: bigint;
}

/** The comparison for one volume. */
export interface BreakEvenResult extends BreakEvenVolume {
  readonly serverlessMicroUsd: bigint | undefined;
  readonly gpuInstanceType: string;
  readonly gpuInstances: number;
  readonly gpuMicroUsd: bigint | undefined;
  readonly gpuUtilisation: number;
  readonly cheaper: 'serverless' | 'gpu' | undefined;
  readonly breakEvenCompletionTokensPerDay: bigint;
}

/** Compares serverless and GPU for `volume` over `days` days, with `catalog`'s prices. */
export function breakEven(catalog: PriceCatalog, volume: BreakEvenVolume, days: number): BreakEvenResult {
  const model = catalog.findModel(volume.model);
  const tokens = { promptTokens: Number(volume.promptTokens), completionTokens: Number(volume.completionTokens) };
  const serverlessMicroUsd = model?.serverless === undefined ? undefined : BigInt(priceUsage(catalog, model.id, 'serverless', tokens));
  const gpu = model?.gpu;
  let gpuInstances = 0;
  let gpuMicroUsd: bigint | undefined;
  let gpuUtilisation = 0;
  let breakEvenPerDay = 0n;
  if (gpu !== undefined) {
    const seconds = days * 86_400;
    const rate = Number(volume.completionTokens) / seconds;
    gpuInstances = Math.max(1, Math.ceil(rate / gpu.outputTokPerSec));
    gpuMicroUsd = BigInt(gpuInstances) * BigInt(days * 24) * BigInt(gpu.instance.microUsdPerHour);
    gpuUtilisation = rate / (gpuInstances * gpu.outputTokPerSec);
    if (model?.serverless !== undefined && volume.completionTokens > 0n) {
      // Serverless µ$ per completion token at this workload's prompt:completion ratio, ×1e6 to stay integral.
      const s = model.serverless;
      const perCompletionTimesMillion = (volume.promptTokens * BigInt(s.inputMicroUsdPerMTok)) / volume.completionTokens + BigInt(s.outputMicroUsdPerMTok);
      if (perCompletionTimesMillion > 0n) breakEvenPerDay = (24n * BigInt(gpu.instance.microUsdPerHour) * 1_000_000n) / perCompletionTimesMillion;
    }
  }
  let cheaper: BreakEvenResult['cheaper'];
  if (serverlessMicroUsd !== undefined && gpuMicroUsd !== undefined) cheaper = gpuMicroUsd < serverlessMicroUsd ? 'gpu' : 'serverless';
  else if (serverlessMicroUsd !== undefined) cheaper = 'serverless';
  else if (gpuMicroUsd !== undefined) cheaper = 'gpu';
  return {
    ...volume,
    serverlessMicroUsd,
    gpuInstanceType: gpu?.instance.name ?? '',
    gpuInstances,
    gpuMicroUsd,
    gpuUtilisation,
    cheaper,
    breakEvenCompletionTokensPerDay: breakEvenPerDay,
  };
}
