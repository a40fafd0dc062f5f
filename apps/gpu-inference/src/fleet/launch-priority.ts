// One allocator across tiers: the fleet's caps (instances, $/h) are shared by every pool, but each
// pool decides its capacity on its own. While the caps hold what every short pool asks for, each
// launch is the pool's own choice (the type covering what it misses cheapest, instance-choice.ts),
// in tier order. When they do not, the order and the types decide who goes short: unserved work is
// counted in requests, so each slot goes to the (pool, instance type) whose next instance carries
// the most requests of its pool's unmet demand per share of the scarcest headroom it uses (one
// instance out of those left, or its price out of the spend left). An instance of a tier with short
// answers (many requests per instance) comes before one carrying a few long 405B answers, a type
// carrying more per slot before a cheaper one taking more slots, and under a spend cap the one
// carrying most per dollar. Stated in catalog units and observed request sizes only.
import type { CatalogTier } from '@sophia/price-catalog';
import type { FleetPolicy } from './fleet-policy.ts';
import type { FleetInstanceOption, FleetPool } from './fleet-pool.ts';
import { chooseInstanceOption, type LaunchHeadroom } from './instance-choice.ts';

/** A pool still short of its target, as the allocator sees it. */
export interface ShortPoolDemand {
  readonly pool: FleetPool;
  /** Saturated output tok/min the pool lacks (target − live). */
  readonly missingTokensPerMinute: number;
  /** Requests per completion token of the tier's recent traffic: what its tokens are worth in requests. */
  readonly requestsPerToken: number;
}

/** The next launch: which pool, with which of its model's instance types. */
export interface LaunchPick<S extends ShortPoolDemand> {
  readonly short: S;
  readonly tier: CatalogTier;
  readonly option: FleetInstanceOption;
}

/**
 * Requests per minute an instance of `option` carries of the pool's unmet demand, per share of the
 * headroom it uses. With no headroom left the launch is capped whoever goes first.
 */
export function launchPriority(policy: FleetPolicy, short: ShortPoolDemand, option: FleetInstanceOption, headroom: LaunchHeadroom): number {
  // Capacity is saturated tok/min; the load it carries is that at the policy's target utilisation.
  const carried = Math.min(option.outputTokPerMinute, short.missingTokensPerMinute) * policy.target_utilisation * short.requestsPerToken;
  if (headroom.instances <= 0 || headroom.microUsdPerHour <= 0) return carried;
  return carried / Math.max(1 / headroom.instances, option.microUsdPerHour / headroom.microUsdPerHour);
}

/** The next launch among the short pools (in tier order), or undefined when none is short. */
export function nextLaunch<S extends ShortPoolDemand>(policy: FleetPolicy, shorts: readonly S[], headroom: LaunchHeadroom): LaunchPick<S> | undefined {
  const own = shorts.map((short) => ({ short, tier: short.pool.tier, option: chooseInstanceOption(policy, short.pool, short.missingTokensPerMinute * policy.target_utilisation, headroom) }));
  if (own.length === 0) return undefined;
  // What the pools' own choices take together (each its count of its type for what it misses).
  let instances = 0;
  let microUsdPerHour = 0;
  for (const { short, option } of own) {
    const count = Math.max(1, Math.ceil(short.missingTokensPerMinute / option.outputTokPerMinute - 1e-9));
    instances += count;
    microUsdPerHour += count * option.microUsdPerHour;
  }
  if (instances <= headroom.instances && microUsdPerHour <= headroom.microUsdPerHour) return own[0];
  let best: LaunchPick<S> | undefined;
  let bestPriority = Number.NEGATIVE_INFINITY;
  // Only types one more instance of fits (none fitting: all, and the launch is audited as capped).
  const fits = (o: FleetInstanceOption): boolean => headroom.instances >= 1 && o.microUsdPerHour <= headroom.microUsdPerHour;
  for (const short of shorts) {
    const options = short.pool.instanceOptions.some(fits) ? short.pool.instanceOptions.filter(fits) : short.pool.instanceOptions;
    for (const option of options) {
      const priority = launchPriority(policy, short, option, headroom);
      if (priority > bestPriority) {
        best = { short, tier: short.pool.tier, option };
        bestPriority = priority;
      }
    }
  }
  return best;
}
