import type { CatalogBackend, CatalogTier } from '@sophia/price-catalog';

/** Who an override applies to; the more specific scope wins (workload, then tenant, then tier, then global). */
export type OverrideScope = 'global' | 'tenant' | 'workload' | 'tier';

/**
 * An operator's routing override, as the router stores and applies it (the wire form is the
 * `Override` message; see override-proto.ts). `remaining` undefined = unlimited until `expiresAt`.
 */
export interface RoutingOverride {
  readonly id: string;
  readonly kind: 'backend' | 'tier' | 'split';
  readonly scope: OverrideScope;
  /** Tenant id or workload tag; "" for global. */
  readonly scopeValue: string;
  readonly backend?: CatalogBackend | undefined;
  readonly tier?: CatalogTier | undefined;
  /** Kind split: the share of matching requests that prefer GPU, in [0, 1]. */
  readonly gpuShare?: number | undefined;
  readonly remaining?: number | undefined;
  /** Epoch ms; undefined = until cleared. */
  readonly expiresAt?: number | undefined;
  readonly createdBy: string;
  readonly reason: string;
  /** Epoch ms. */
  readonly createdAt: number;
}

/** The request facts overrides are matched on. */
export interface OverrideSubject {
  readonly tenant: string;
  readonly workloadTag: string;
  /** The tier the request is routed on, once decided (tier-scoped overrides match only then). */
  readonly tier?: CatalogTier | undefined;
}

const RANK: Record<OverrideScope, number> = { workload: 0, tenant: 1, tier: 2, global: 3 };

/** True when `o` is in force at `now` for `subject`. */
export function overrideApplies(o: RoutingOverride, subject: OverrideSubject, now: number): boolean {
  if (o.expiresAt !== undefined && o.expiresAt <= now) return false;
  if (o.remaining !== undefined && o.remaining <= 0) return false;
  if (o.scope === 'tenant') return o.scopeValue === subject.tenant;
  if (o.scope === 'workload') return subject.workloadTag !== '' && o.scopeValue === subject.workloadTag;
  if (o.scope === 'tier') return subject.tier !== undefined && o.scopeValue === subject.tier;
  return true;
}

/**
 * Overrides of one kind in force for `subject`, best first: workload before tenant before global,
 * newest first within a scope. `excluded` drops overrides whose claim was lost to another request.
 */
export function matchOverrides(
  all: readonly RoutingOverride[],
  kind: RoutingOverride['kind'],
  subject: OverrideSubject,
  now: number,
  excluded: ReadonlySet<string> = new Set(),
): RoutingOverride[] {
  return all
    .filter((o) => o.kind === kind && !excluded.has(o.id) && overrideApplies(o, subject, now))
    .sort((a, b) => RANK[a.scope] - RANK[b.scope] || b.createdAt - a.createdAt || a.id.localeCompare(b.id));
}

/** Short human form for reasons and audit lines, e.g. `ovr_1a2b(tenant=acme→tier:complex)`. */
export function describeOverride(o: RoutingOverride): string {
  const scope = o.scope === 'global' ? 'global' : `${o.scope}=${o.scopeValue}`;
  return `${o.id}(${scope}→${o.kind}:${o.kind === 'tier' ? o.tier : o.kind === 'split' ? `gpu=${o.gpuShare}` : o.backend})`;
}
