// The cheapest way to serve a trace with perfect knowledge of it, for judging the online policy.
// Per tier (pools are independent without caps), a dynamic programme over minutes whose state is the
// number of instances serving: holding n instances costs n instance-minutes; raising n to m at
// minute t costs (m − n) × boot minutes more (each launch is billed while it boots, and perfect
// knowledge starts it exactly a boot ahead); the minute's completion tokens up to n × saturated
// throughput ride the GPU for free and the rest pay serverless — or, while serverless is down, are
// unserved at a penalty far above any instance price, so the optimum serves everything it can.
// It is exact for per-minute billing, instances serving at the catalog's saturated rate, and no
// waiting across minutes (which would only make the optimum cheaper by a fraction of a minute).
import type { CatalogTier, PriceCatalog } from '@sophia/price-catalog';
import { fleetPoolsFromCatalog, serverlessMicroUsd } from '../fleet-pool.ts';
import type { DemandTrace } from './demand-trace.ts';

/** The optimum's figures. */
export interface HindsightResult {
  readonly total_usd: number;
  readonly serverless_usd: number;
  readonly gpu_usd: number;
  readonly gpu_instance_hours: number;
  readonly unserved_requests: number;
}

/** Penalty per unserved request (micro-USD): $10, far above any instance-minute. */
const UNSERVED_PENALTY_MICRO = 10_000_000;

/** Computes the hindsight optimum of `trace` under `catalog` prices and a boot delay. */
export function hindsightOptimum(trace: DemandTrace, catalog: PriceCatalog, bootMinutes: number): HindsightResult {
  let serverlessMicro = 0;
  let gpuMicro = 0;
  let instanceMinutes = 0;
  let unserved = 0;
  for (const pool of fleetPoolsFromCatalog(catalog)) {
    const tier: CatalogTier = pool.tier;
    const minutes = trace.endMinute - trace.firstMinute;
    const demand: { requests: number; prompt: number; completion: number; up: boolean }[] = [];
    let up = true;
    let maxNeed = 0;
    for (let m = 0; m < minutes; m++) {
      const line = trace.byMinute.get(trace.firstMinute + m)?.get(tier);
      if (line) up = line.serverless_up;
      const d = { requests: line?.requests ?? 0, prompt: line?.prompt_tokens ?? 0, completion: line?.completion_tokens ?? 0, up };
      demand.push(d);
      maxNeed = Math.max(maxNeed, Math.ceil(d.completion / pool.outputTokPerMinute));
    }
    const states = maxNeed + 1;
    const perMinute = pool.microUsdPerHour / 60;
    // minuteCost(n): instance cost of n plus serverless or penalty for what n cannot carry.
    const minuteCost = (d: (typeof demand)[number], n: number): { cost: number; serverless: number; unserved: number } => {
      const carried = d.completion === 0 ? 1 : Math.min(1, (n * pool.outputTokPerMinute) / d.completion);
      const rest = 1 - carried;
      if (d.up) {
        const s = serverlessMicroUsd(pool, d.prompt * rest, d.completion * rest);
        return { cost: n * perMinute + s, serverless: s, unserved: 0 };
      }
      return { cost: n * perMinute + d.requests * rest * UNSERVED_PENALTY_MICRO, serverless: 0, unserved: d.requests * rest };
    };
    // cost[t][n] = cheapest way to end minute t with n instances; parent pointers for the schedule.
    // Transitions in O(states): from p ≥ n (free) via a suffix minimum, from p < n via a prefix
    // minimum of prev[p] − p × launch, plus n × launch.
    const launch = bootMinutes * perMinute;
    let prev = new Float64Array(states).fill(Number.POSITIVE_INFINITY);
    prev[0] = 0;
    const parents: Uint32Array[] = [];
    for (let t = 0; t < minutes; t++) {
      const cur = new Float64Array(states);
      const parent = new Uint32Array(states);
      const d = demand[t]!;
      const suffix = new Float64Array(states);
      const suffixArg = new Uint32Array(states);
      for (let p = states - 1; p >= 0; p--) {
        const better = p === states - 1 || prev[p]! <= suffix[p + 1]!;
        suffix[p] = better ? prev[p]! : suffix[p + 1]!;
        suffixArg[p] = better ? p : suffixArg[p + 1]!;
      }
      let prefix = Number.POSITIVE_INFINITY;
      let prefixArg = 0;
      for (let n = 0; n < states; n++) {
        if (n > 0 && prev[n - 1]! - (n - 1) * launch < prefix) {
          prefix = prev[n - 1]! - (n - 1) * launch;
          prefixArg = n - 1;
        }
        const up = prefix + n * launch;
        const stay = suffix[n]!;
        cur[n] = Math.min(up, stay) + minuteCost(d, n).cost;
        parent[n] = stay <= up ? suffixArg[n]! : prefixArg;
      }
      parents.push(parent);
      prev = cur;
    }
    // Walk the schedule back to split the cost into its parts.
    let n = 0;
    for (let s = 1; s < states; s++) if (prev[s]! < prev[n]!) n = s;
    for (let t = minutes - 1; t >= 0; t--) {
      const p = parents[t]![n]!;
      const c = minuteCost(demand[t]!, n);
      const launchMinutes = Math.max(0, n - p) * bootMinutes;
      instanceMinutes += n + launchMinutes;
      gpuMicro += (n + launchMinutes) * perMinute;
      serverlessMicro += c.serverless;
      unserved += c.unserved;
      n = p;
    }
  }
  return {
    total_usd: (gpuMicro + serverlessMicro) / 1e6,
    serverless_usd: serverlessMicro / 1e6,
    gpu_usd: gpuMicro / 1e6,
    gpu_instance_hours: instanceMinutes / 60,
    unserved_requests: unserved,
  };
}
