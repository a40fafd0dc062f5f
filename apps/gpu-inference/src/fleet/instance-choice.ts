// Which instance type a pool launches: the catalog lists several types able to serve a tier's model
// (`gpu.alternates`), and the cheapest way to carry a load depends on its size. A small load (an
// outage of a quiet tier, an override for a few requests) is carried by one instance whatever its
// type, so the lowest hourly price wins (an 8×A100 at $14.32/h instead of an 8×H100 at $34.32/h for
// the 405B model); a large one needs fewer instances of a faster type, so the lowest price per
// carried token wins. Both are one rule: the fewest dollars per hour that carry the load at the
// policy's target utilisation. Stated in catalog units only, so it holds for any trace.
import type { FleetPolicy } from './fleet-policy.ts';
import type { FleetInstanceOption, FleetPool } from './fleet-pool.ts';

/**
 * The option to size and launch with for a load of `completionTokensPerMinute` (the busiest recent
 * minute): the one whose instance count carrying it costs least per hour; ties go to the catalog's
 * order. Without load it is the cheapest single instance (what a hold or a minimum keeps warm).
 * `instance_choice: catalog_order` keeps the catalog's first type.
 */
export function chooseInstanceOption(policy: FleetPolicy, pool: FleetPool, completionTokensPerMinute: number): FleetInstanceOption {
  const [first, ...rest] = pool.instanceOptions;
  if (first === undefined || policy.instance_choice === 'catalog_order') return first ?? poolOwnOption(pool);
  const hourly = (o: FleetInstanceOption): number => Math.max(1, Math.ceil(completionTokensPerMinute / (o.outputTokPerMinute * policy.target_utilisation))) * o.microUsdPerHour;
  let best = first;
  for (const option of rest) if (hourly(option) < hourly(best)) best = option;
  return best;
}

function poolOwnOption(pool: FleetPool): FleetInstanceOption {
  return { instanceType: pool.instanceType, microUsdPerHour: pool.microUsdPerHour, outputTokPerMinute: pool.outputTokPerMinute };
}
