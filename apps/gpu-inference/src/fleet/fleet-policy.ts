// The autoscaling policy as data: a YAML (or JSON) file validated once per load, reloadable like the
// router's routing policy. Every number is in the catalog's units or in minutes, so the same rules
// apply to any demand trace.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CATALOG_TIERS, type CatalogTier } from '@sophia/price-catalog';

const share = z.number().gt(0).max(1);
const minutes = z.number().positive();
const count = z.int().nonnegative();

const poolBoundsSchema = z
  .strictObject({ min_instances: count.default(0), max_instances: count.default(4) })
  .refine((b) => b.min_instances <= b.max_instances, { message: 'min_instances must be <= max_instances', path: ['min_instances'] });

/** The policy file's shape; see apps/gpu-inference/src/fleet/README.md for every key. */
export const fleetPolicySchema = z.strictObject({
  version: z.literal(1),
  target_utilisation: share.default(0.8),
  demand_window_minutes: z.int().positive().default(5),
  expected_boot_minutes: minutes.default(5),
  /** `cheapest`: the catalog type or alternate carrying the load for the fewest $/h; `catalog_order`: the catalog's first type. */
  instance_choice: z.enum(['cheapest', 'catalog_order']).default('cheapest'),
  scale_up: z
    .strictObject({
      on_serverless_breaker_open: z.boolean().default(true),
      on_gpu_override: z.boolean().default(true),
      queue_waiting_per_instance_above: z.number().nonnegative().default(4),
      queue_sustained_minutes: z.number().nonnegative().default(2),
      break_even: z
        .strictObject({
          enabled: z.boolean().default(true),
          window_minutes: z.int().positive().default(60),
          margin: z.number().nonnegative().default(0.15),
        })
        .default({ enabled: true, window_minutes: 60, margin: 0.15 }),
    })
    .default({
      on_serverless_breaker_open: true,
      on_gpu_override: true,
      queue_waiting_per_instance_above: 4,
      queue_sustained_minutes: 2,
      break_even: { enabled: true, window_minutes: 60, margin: 0.15 },
    }),
  cooldown_minutes: minutes.nullable().default(null),
  prewarm: z
    .strictObject({ enabled: z.boolean().default(true), min_history_weeks: z.int().positive().default(1) })
    .default({ enabled: true, min_history_weeks: 1 }),
  pools: z
    .strictObject({
      default: poolBoundsSchema.default({ min_instances: 0, max_instances: 4 }),
      simple: poolBoundsSchema.optional(),
      balanced: poolBoundsSchema.optional(),
      complex: poolBoundsSchema.optional(),
    })
    .default({ default: { min_instances: 0, max_instances: 4 } }),
  limits: z
    .strictObject({ max_instances: count.default(8), max_hourly_usd: z.number().nonnegative().default(100) })
    .default({ max_instances: 8, max_hourly_usd: 100 }),
});

/** A validated fleet policy. */
export type FleetPolicy = z.infer<typeof fleetPolicySchema>;

/** Instance bounds of one tier's pool. */
export interface PoolBounds {
  readonly minInstances: number;
  readonly maxInstances: number;
}

/** The bounds that apply to `tier` (its own entry, else `default`). */
export function poolBounds(policy: FleetPolicy, tier: CatalogTier): PoolBounds {
  const b = policy.pools[tier] ?? policy.pools.default;
  return { minInstances: b.min_instances, maxInstances: b.max_instances };
}

/** Minutes an instance is kept after its last reason to exist (the boot time unless set). */
export function cooldownMinutes(policy: FleetPolicy, bootMinutes: number): number {
  return policy.cooldown_minutes ?? bootMinutes;
}

/** Error of an invalid policy document, listing every bad key by its path. */
export class FleetPolicyError extends Error {
  override readonly name = 'FleetPolicyError';
}

/**
 * Parses policy text (YAML or JSON).
 * @throws FleetPolicyError naming every invalid key (`scale_up.break_even.margin: …`)
 */
export function parseFleetPolicy(text: string, origin = 'fleet policy'): FleetPolicy {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new FleetPolicyError(`${origin}: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = fleetPolicySchema.safeParse(doc ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new FleetPolicyError(`${origin}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** Tiers in catalog order, for iterating pools deterministically. */
export const FLEET_TIERS: readonly CatalogTier[] = CATALOG_TIERS;
