// The cheapest way to serve a trace with perfect knowledge of it, for judging the online policy.
// Per tier (pools are independent without caps) and per instance type the tier's model runs on, a dynamic programme over minutes whose state is the
// number of instances serving: holding n instances costs n instance-minutes; raising n to m at
// minute t costs (m − n) × boot minutes more (each launch is billed while it boots, and perfect
// knowledge starts it exactly a boot ahead); the minute's completion tokens up to n × saturated
// throughput ride the GPU for free and the rest pay serverless — or, while serverless is down, are
// unserved at a penalty far above any instance price, so the optimum serves everything it can.
// It is exact for per-minute billing, instances serving at the catalog's saturated rate, and no
// waiting across minutes (which would only make the optimum cheaper by a fraction of a minute).
import type { CatalogTier, PriceCatalog } from '@sophia/price-catalog';
import { fleetPoolsFromCatalog, poolWithOption, serverlessMicroUsd, type FleetPool } from '../fleet-pool.ts';
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

/** Demand of one minute of one tier, with the serverless state in force. */
interface TierMinute {
  readonly requests: number;
  readonly prompt: number;
  readonly completion: number;
  readonly up: boolean;
}

/** One tier's cheapest schedule on one instance type, split into its parts (micro-USD, minutes). */
interface TierSchedule {
  readonly objective: number;
  readonly gpuMicro: number;
  readonly serverlessMicro: number;
  readonly instanceMinutes: number;
  readonly unserved: number;
}

/**
 * Computes the hindsight optimum of `trace` under `catalog` prices and a boot delay: per tier, the
 * cheapest of the exact schedules on each instance type the catalog lists for its model (the
 * catalog's and its `gpu.alternates`). A schedule mixing types could be cheaper still; the online
 * policy may mix them, so it can come out slightly below this figure.
 */
export function hindsightOptimum(trace: DemandTrace, catalog: PriceCatalog, bootMinutes: number): HindsightResult {
  let serverlessMicro = 0;
  let gpuMicro = 0;
  let instanceMinutes = 0;
  let unserved = 0;
  for (const pool of fleetPoolsFromCatalog(catalog)) {
    const tier: CatalogTier = pool.tier;
    const demand: TierMinute[] = [];
    let up = true;
    for (let m = trace.firstMinute; m < trace.endMinute; m++) {
      const line = trace.byMinute.get(m)?.get(tier);
      if (line) up = line.serverless_up;
      demand.push({ requests: line?.requests ?? 0, prompt: line?.prompt_tokens ?? 0, completion: line?.completion_tokens ?? 0, up });
    }
    let best: TierSchedule | undefined;
    for (const option of pool.instanceOptions) {
      const schedule = cheapestSchedule(demand, poolWithOption(pool, option), bootMinutes);
      if (best === undefined || schedule.objective < best.objective) best = schedule;
    }
    if (best === undefined) continue;
    serverlessMicro += best.serverlessMicro;
    gpuMicro += best.gpuMicro;
    instanceMinutes += best.instanceMinutes;
    unserved += best.unserved;
  }
  return {
    total_usd: (gpuMicro + serverlessMicro) / 1e6,
    serverless_usd: serverlessMicro / 1e6,
    gpu_usd: gpuMicro / 1e6,
    gpu_instance_hours: instanceMinutes / 60,
    unserved_requests: unserved,
  };
}

/** The exact dynamic programme for one tier on the pool's (single) instance type. */
function cheapestSchedule(demand: readonly TierMinute[], pool: FleetPool, bootMinutes: number): TierSchedule {
  const minutes = demand.length;
  let maxNeed = 0;
  for (const d of demand) maxNeed = Math.max(maxNeed, Math.ceil(d.completion / pool.outputTokPerMinute));
  const states = maxNeed + 1;
  const perMinute = pool.microUsdPerHour / 60;
  // minuteCost(n): instance cost of n plus serverless or penalty for what n cannot carry.
  const minuteCost = (d: TierMinute, n: number): { cost: number; serverless: number; unserved: number } => {
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
  const objective = prev[n]!;
  let gpuMicro = 0;
  let serverlessMicro = 0;
  let instanceMinutes = 0;
  let unserved = 0;
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
  return { objective, gpuMicro, serverlessMicro, instanceMinutes, unserved };
}
