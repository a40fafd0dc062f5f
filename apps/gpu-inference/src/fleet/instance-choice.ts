// Which instance type a pool launches: the catalog lists several types able to serve a tier's model
// (`gpu.alternates`), and the cheapest way to carry a load depends on its size. A small load (an
// outage of a quiet tier, an override for a few requests) is carried by one instance whatever its
// type, so the lowest hourly price wins (an 8×A100 at $14.32/h instead of an 8×H100 at $34.32/h for
// the 405B model); a large one needs fewer instances of a faster type, so the lowest price per
// carried token wins. Both are one rule: the fewest dollars per hour that carry the load at the
// policy's target utilisation. Stated in catalog units only, so it holds for any trace.
import type { FleetPolicy } from './fleet-policy.ts';
import type { FleetInstanceOption, FleetPool } from './fleet-pool.ts';

/** What the fleet's hard caps still allow (instances and on-demand spend). */
export interface LaunchHeadroom {
  readonly instances: number;
  readonly microUsdPerHour: number;
}

/**
 * The option to size and launch with for a load of `completionTokensPerMinute`: the one whose
 * instance count carrying it costs least per hour; ties go to the catalog's order. Without load it
 * is the cheapest single instance (what a hold or a minimum keeps warm). Under the fleet's caps
 * (`headroom`) only options whose count fits are compared; when none fits, the one carrying the
 * most within the caps (a cap on instances favours the larger type, a cap on spend the one with
 * the most tokens per dollar). `instance_choice: catalog_order` keeps the catalog's first type.
 */
export function chooseInstanceOption(policy: FleetPolicy, pool: FleetPool, completionTokensPerMinute: number, headroom?: LaunchHeadroom): FleetInstanceOption {
  const [first, ...rest] = pool.instanceOptions;
  if (first === undefined || policy.instance_choice === 'catalog_order') return first ?? poolOwnOption(pool);
  const count = (o: FleetInstanceOption): number => Math.max(1, Math.ceil(completionTokensPerMinute / (o.outputTokPerMinute * policy.target_utilisation)));
  const hourly = (o: FleetInstanceOption): number => count(o) * o.microUsdPerHour;
  const fits = (o: FleetInstanceOption): boolean => headroom === undefined || (count(o) <= headroom.instances && hourly(o) <= headroom.microUsdPerHour);
  const candidates = pool.instanceOptions.filter(fits);
  if (candidates.length > 0) return candidates.reduce((best, o) => (hourly(o) < hourly(best) ? o : best));
  const carried = (o: FleetInstanceOption): number =>
    headroom === undefined ? 0 : Math.max(0, Math.min(count(o), headroom.instances, Math.floor(headroom.microUsdPerHour / o.microUsdPerHour))) * o.outputTokPerMinute;
  return rest.reduce((best, o) => (carried(o) > carried(best) ? o : best), first);
}

function poolOwnOption(pool: FleetPool): FleetInstanceOption {
  return { instanceType: pool.instanceType, microUsdPerHour: pool.microUsdPerHour, outputTokPerMinute: pool.outputTokPerMinute };
}
