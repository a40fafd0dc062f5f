// The simulation CLI's output contract (`npm run -s fleet -- simulate`): keep these keys stable,
// outside evaluations read them.

/** One simulation's costs and service, in USD and requests. */
export interface SimulationResult {
  readonly total_usd: number;
  readonly serverless_usd: number;
  readonly gpu_usd: number;
  readonly gpu_instance_hours: number;
  /** The configured always-on GPU baseline over the trace's span. */
  readonly always_on_usd: number;
  /** Every request priced serverless, as if the providers never failed. */
  readonly all_serverless_usd: number;
  readonly requests: number;
  readonly unserved_requests: number;
}

/** Hours in an average month (365 × 24 / 12): how a monthly baseline becomes an hourly one. */
export const HOURS_PER_MONTH = 730;

/** Monthly always-on baseline of ARCHITECTURE.md ($6,444/month at 15–20 % utilisation). */
export const DEFAULT_BASELINE_USD_PER_MONTH = 6444;

/** The baseline over `minutes`. */
export function alwaysOnUsd(baselineUsdPerMonth: number, minutes: number): number {
  return (baselineUsdPerMonth / HOURS_PER_MONTH / 60) * minutes;
}

/**
 * Rounds money to micro-USD (the ledger's unit: a short or light trace must not read as free, as it
 * would in cents) and hours to 1/1000 for printing.
 */
export function roundResult(r: SimulationResult): SimulationResult {
  const microUsd = (x: number): number => Math.round(x * 1_000_000) / 1_000_000;
  return {
    total_usd: microUsd(r.total_usd),
    serverless_usd: microUsd(r.serverless_usd),
    gpu_usd: microUsd(r.gpu_usd),
    gpu_instance_hours: Math.round(r.gpu_instance_hours * 1000) / 1000,
    always_on_usd: microUsd(r.always_on_usd),
    all_serverless_usd: microUsd(r.all_serverless_usd),
    requests: r.requests,
    unserved_requests: Math.round(r.unserved_requests),
  };
}
