import type { CatalogTier } from '@sophia/price-catalog';
import type { QualityLevel, RoutingPolicy } from './routing-policy.ts';

/** Score thresholds in effect for a request, and where they came from (for the reasons). */
export interface ResolvedQuality {
  readonly source: 'request' | 'tenant' | 'default';
  /** Level name, or `q=<number>` for a numeric target. */
  readonly label: string;
  readonly balanced: number;
  readonly complex: number;
}

/** Raised for a request quality target the policy cannot map; the handler answers INVALID_ARGUMENT. */
export class InvalidQualityTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidQualityTargetError';
  }
}

/** Piecewise-linear interpolation of the levels' thresholds at target `q` (clamped to the end levels). */
function interpolate(levels: readonly QualityLevel[], q: number): { balanced: number; complex: number } {
  const sorted = [...levels].sort((a, b) => a.target - b.target);
  const lo = [...sorted].reverse().find((l) => l.target <= q) ?? sorted[0]!;
  const hi = sorted.find((l) => l.target >= q) ?? sorted[sorted.length - 1]!;
  if (hi.target === lo.target) return { balanced: lo.balanced, complex: lo.complex };
  const f = (q - lo.target) / (hi.target - lo.target);
  return { balanced: lo.balanced + f * (hi.balanced - lo.balanced), complex: lo.complex + f * (hi.complex - lo.complex) };
}

function resolve(policy: RoutingPolicy, target: string | number, source: ResolvedQuality['source']): ResolvedQuality {
  const levels = policy.quality.levels;
  if (typeof target === 'string') {
    const level = levels[target];
    if (!level) throw new InvalidQualityTargetError(`unknown quality level '${target}' (levels: ${Object.keys(levels).join(', ') || 'none'}, or a number in [0, 1])`);
    return { source, label: target, balanced: level.balanced, complex: level.complex };
  }
  const all = Object.values(levels);
  if (all.length === 0) throw new InvalidQualityTargetError('the routing policy defines no quality levels to map a numeric target');
  return { source, label: `q=${target}`, ...interpolate(all, target) };
}

/** A request's `quality_target` text: a level name or a decimal in [0, 1]. */
function parseRequestTarget(raw: string): string | number {
  const text = raw.trim();
  if (/^[-+]?[0-9.]+(?:e[-+]?\d+)?$/i.test(text)) {
    const q = Number(text);
    if (!Number.isFinite(q) || q < 0 || q > 1) throw new InvalidQualityTargetError(`'${raw}' is not a number in [0, 1]`);
    return q;
  }
  return text;
}

/**
 * Thresholds for a request: its own `quality_target`, else its tenant's policy, else the policy
 * default; undefined when none is set (the classifier's own tier then stands).
 */
export function resolveQuality(policy: RoutingPolicy, tenant: string, requestTarget: string | undefined): ResolvedQuality | undefined {
  if (requestTarget !== undefined && requestTarget.trim() !== '') return resolve(policy, parseRequestTarget(requestTarget), 'request');
  const fromTenant = policy.tenants[tenant]?.quality;
  if (fromTenant !== undefined) return resolve(policy, fromTenant, 'tenant');
  if (policy.quality.default !== undefined) return resolve(policy, policy.quality.default, 'default');
  return undefined;
}

/** Tier for a classifier score under the given thresholds (same rule as the classifier's). */
export function tierForScore(score: number, q: Pick<ResolvedQuality, 'balanced' | 'complex'>): CatalogTier {
  if (score >= q.complex) return 'complex';
  if (score >= q.balanced) return 'balanced';
  return 'simple';
}
