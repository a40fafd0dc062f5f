// The policy's decision for one pool at one instant, as a pure function of what is observed: how
// many instances should exist and why. Cool-down (keeping the largest recent decision) is the
// controller's job; caps across pools are applied when launching.
import type { DemandRate } from './demand-window.ts';
import type { FleetPolicy, PoolBounds } from './fleet-policy.ts';
import { serverlessMicroUsd, type FleetPool } from './fleet-pool.ts';

/** What the controller observes about one pool's tier when it decides. */
export interface PoolSignals {
  /** The router's serverless breaker for this tier is open (providers failing). */
  readonly serverlessBreakerOpen: boolean;
  /** An operator override sends this tier's work to GPU. */
  readonly gpuOverride: boolean;
  /**
   * Capacity serving or booting now, in instances of the pool's type (fractional when the pool holds
   * other types): what a queue rule adds one instance to.
   */
  readonly liveInstances: number;
  /** Instances launched and not serving yet (capacity already on its way). */
  readonly bootingInstances: number;
  /** Minutes the mean `vllm:num_requests_waiting` per serving instance has stayed above the policy's threshold (0 when not above). */
  readonly queueHighMinutes: number;
  /** Busiest minute of the short window: completion tokens, and the requests in the window. */
  readonly peak: { readonly completionTokensPerMinute: number; readonly requests: number };
  /** Mean load over the break-even window. */
  readonly sustained: DemandRate;
  /** Forecast mean load over the break-even window starting one boot from now (prewarm); undefined without history. */
  readonly forecast?: DemandRate;
}

/** Why a pool wants instances; one entry per rule that fired. */
export type ScaleReason = 'min_instances' | 'serverless_breaker_open' | 'gpu_override' | 'queue_depth' | 'break_even' | 'prewarm' | 'operator';

/** The policy's answer for one pool. */
export interface CapacityDecision {
  /** Instances of the pool's type that give `capacity` (rounded up): what reports and operators see. */
  readonly desired: number;
  /**
   * Saturated output tok/min the pool should have, whatever types carry it: the controller launches
   * and drains against this, so a pool holding several types is sized by what each carries.
   */
  readonly capacity: number;
  /** Rules that asked for at least `desired` (empty when desired is 0). */
  readonly reasons: readonly ScaleReason[];
}

/** Instances needed to carry `completionTokensPerMinute` at the policy's target utilisation. */
export function instancesFor(policy: FleetPolicy, pool: FleetPool, completionTokensPerMinute: number): number {
  return Math.ceil(completionTokensPerMinute / (pool.outputTokPerMinute * policy.target_utilisation));
}

/**
 * Instances that pay for themselves against serverless for a sustained load: the k-th instance
 * carries min(capacity, what is left of the load) and is worth it when those tokens cost more
 * serverless than the instance's minute, by the policy's margin.
 */
export function breakEvenInstances(policy: FleetPolicy, pool: FleetPool, load: DemandRate): number {
  if (load.completionTokensPerMinute <= 0) return 0;
  const perCompletionToken = serverlessMicroUsd(pool, load.promptTokensPerMinute, load.completionTokensPerMinute) / load.completionTokensPerMinute;
  const capacity = pool.outputTokPerMinute * policy.target_utilisation;
  const instanceMinute = (pool.microUsdPerHour / 60) * (1 + policy.scale_up.break_even.margin);
  let k = 0;
  for (;;) {
    const carried = Math.min(capacity, load.completionTokensPerMinute - k * capacity);
    if (carried <= 0 || carried * perCompletionToken < instanceMinute) return k;
    k += 1;
  }
}

/** The pool's desired capacity under `policy`, clamped to its bounds (counted in instances of the pool's type). */
export function desiredCapacity(policy: FleetPolicy, pool: FleetPool, bounds: PoolBounds, signals: PoolSignals): CapacityDecision {
  const unit = pool.outputTokPerMinute;
  // What each rule wants, in saturated output tok/min.
  const wants: [ScaleReason, number][] = [];
  // The peak at target utilisation; at least one instance (a token a minute) for any demand at all.
  const carryAll = (): number => Math.max(signals.peak.completionTokensPerMinute / policy.target_utilisation, 1);
  if (bounds.minInstances > 0) wants.push(['min_instances', bounds.minInstances * unit]);
  // Both rules follow demand: with no request in the window (a quiet tier during an outage, or an
  // override that names no tier and sends this tier nothing) an instance would be paid to idle; the
  // first request after a quiet spell brings one back (requests are counted even while the pool is
  // empty), and the cool-down keeps it through short gaps.
  const demand = signals.peak.requests > 0;
  if (policy.scale_up.on_serverless_breaker_open && signals.serverlessBreakerOpen && demand) wants.push(['serverless_breaker_open', carryAll()]);
  if (policy.scale_up.on_gpu_override && signals.gpuOverride && demand) wants.push(['gpu_override', carryAll()]);
  // A queue adds one instance at a time: while one boots, the queue it will work off is no new shortage.
  if (signals.liveInstances > 0 && signals.bootingInstances === 0 && signals.queueHighMinutes > 0 && signals.queueHighMinutes >= policy.scale_up.queue_sustained_minutes) {
    wants.push(['queue_depth', (signals.liveInstances + 1) * unit]);
  }
  if (policy.scale_up.break_even.enabled) {
    wants.push(['break_even', breakEvenInstances(policy, pool, signals.sustained) * unit]);
    if (policy.prewarm.enabled && signals.forecast !== undefined) wants.push(['prewarm', breakEvenInstances(policy, pool, signals.forecast) * unit]);
  }
  const capacity = Math.min(bounds.maxInstances * unit, Math.max(0, ...wants.map(([, c]) => c)));
  const desired = instancesOf(capacity, unit);
  const reasons = desired === 0 ? [] : wants.filter(([, c]) => instancesOf(c, unit) >= desired).map(([r]) => r);
  return { desired, capacity, reasons };
}

/** Instances of `unit` tok/min that carry `capacity` (whole tok/min sums: float error is not a shortage). */
export function instancesOf(capacity: number, unit: number): number {
  return Math.max(0, Math.ceil(capacity / unit - 1e-9));
}
