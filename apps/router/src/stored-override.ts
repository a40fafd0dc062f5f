import { z } from 'zod';
import { CATALOG_BACKENDS, CATALOG_TIERS } from '@sophia/price-catalog';
import type { RoutingOverride } from './routing-override.ts';

// The JSON kept per override in Redis. `remaining: true` marks a counted override whose count lives
// in its own key (so the claim script can decrement it atomically); the count is filled in on read.
const storedSchema = z.strictObject({
  id: z.string().min(1),
  kind: z.enum(['backend', 'tier', 'split']),
  scope: z.enum(['global', 'tenant', 'workload', 'tier']),
  scopeValue: z.string(),
  backend: z.enum(CATALOG_BACKENDS).optional(),
  tier: z.enum(CATALOG_TIERS).optional(),
  gpuShare: z.number().min(0).max(1).optional(),
  remaining: z.literal(true).optional(),
  expiresAt: z.number().optional(),
  createdBy: z.string(),
  reason: z.string(),
  createdAt: z.number(),
});

/** Decodes one stored override; `remaining` is a placeholder (1) for counted ones until the count is read. */
export function decodeStoredOverride(id: string, json: string): RoutingOverride {
  const parsed = storedSchema.parse(JSON.parse(json));
  if (parsed.id !== id) throw new Error(`stored override ${id} carries id ${parsed.id}`);
  const { remaining, ...rest } = parsed;
  return { ...rest, remaining: remaining ? 1 : undefined };
}
