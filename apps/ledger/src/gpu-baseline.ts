// The always-on GPU fleet the mesh is compared against (SOPHIA_GPU_BASELINE_USD_PER_MONTH, default
// $6,444, or SOPHIA_GPU_BASELINE_INSTANCES priced from the catalog), prorated over any period.
import type { PriceCatalog } from '@sophia/price-catalog';

/** Hours in an average month (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;
const MS_PER_MONTH = BigInt(HOURS_PER_MONTH * 3_600_000);

/** One line of an instance-based baseline: `count` instances for `hoursPerMonth` each month. */
export interface BaselineInstance {
  readonly instanceType: string;
  readonly count: number;
  readonly hoursPerMonth: number;
}

/** Either a flat monthly amount or a list of instances priced from the catalog. */
export type GpuBaseline =
  | { readonly kind: 'flat'; readonly microUsdPerMonth: number }
  | { readonly kind: 'instances'; readonly instances: readonly BaselineInstance[] };

/**
 * Parses `gpu_1x_h100_sxm5:2,gpu_1x_a10:1:200` (type:count[:hours per month, default 730]).
 * @throws Error naming SOPHIA_GPU_BASELINE_INSTANCES and the bad entry
 */
export function parseBaselineInstances(text: string): BaselineInstance[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((entry) => {
      const [instanceType = '', count = '', hours = String(HOURS_PER_MONTH)] = entry.split(':');
      const n = Number(count);
      const h = Number(hours);
      if (instanceType === '' || !Number.isSafeInteger(n) || n <= 0 || !Number.isFinite(h) || h <= 0 || h > 744) {
        throw new Error(`SOPHIA_GPU_BASELINE_INSTANCES: '${entry}' is not <instance type>:<count>[:<hours per month ≤ 744>]`);
      }
      return { instanceType, count: n, hoursPerMonth: h };
    });
}

/** The baseline's cost per month in micro-USD; instance lines use the catalog's current $/hour. */
export function baselineMicroUsdPerMonth(baseline: GpuBaseline, catalog: PriceCatalog): { microUsd: bigint; description: string } {
  if (baseline.kind === 'flat') return { microUsd: BigInt(baseline.microUsdPerMonth), description: 'flat monthly GPU baseline' };
  let total = 0n;
  const parts: string[] = [];
  for (const line of baseline.instances) {
    const instance = catalog.gpuInstances.find((g) => g.name === line.instanceType);
    if (instance === undefined) throw new Error(`GPU baseline instance type '${line.instanceType}' is not in price catalog ${catalog.version}`);
    // Hours may be fractional: work in milli-hours to stay exact.
    total += (BigInt(instance.microUsdPerHour) * BigInt(line.count) * BigInt(Math.round(line.hoursPerMonth * 1000))) / 1000n;
    parts.push(`${line.count}× ${line.instanceType} × ${line.hoursPerMonth} h`);
  }
  return { microUsd: total, description: parts.join(' + ') };
}

/** The monthly amount prorated over `periodMs` (floor). */
export function prorate(microUsdPerMonth: bigint, periodMs: number): bigint {
  return (microUsdPerMonth * BigInt(Math.max(0, Math.floor(periodMs)))) / MS_PER_MONTH;
}
