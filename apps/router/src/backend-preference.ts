import type { CatalogBackend, CatalogTier } from '@sophia/price-catalog';
import type { CapacitySnapshot } from './capacity-snapshot.ts';
import type { RoutingOverride } from './routing-override.ts';
import type { RoutingPolicy } from './routing-policy.ts';

/** Inputs to {@link chooseBackendPreference}; all facts, no I/O. */
export interface BackendPreferenceInput {
  readonly tier: CatalogTier;
  readonly policy: RoutingPolicy;
  /** Backend overrides in force for the request, best first. */
  readonly overrides: readonly RoutingOverride[];
  /** Backends with at least one target whose breaker is not open. */
  readonly healthy: ReadonlySet<CatalogBackend>;
  readonly capacity?: CapacitySnapshot | undefined;
  /** The request's traffic-split draw in [0, 1). */
  readonly splitDraw?: number | undefined;
  /** An operator's traffic-split override in force for the request; replaces the policy's gpu_share. */
  readonly split?: RoutingOverride | undefined;
}

/** Which backend's targets go first (undefined = the default per-model serverless-then-GPU order). */
export interface BackendPreference {
  readonly prefer: CatalogBackend | undefined;
  /** The override the preference relies on (to be claimed when counted). */
  readonly override: RoutingOverride | undefined;
  readonly reasons: readonly string[];
}

/**
 * Backend choice, strongest rule first: an operator override (when its backend has a healthy
 * target), then GPU queue depth (avoid a GPU pool with more waiting than the policy allows; prefer
 * an idle one for tiers the policy names as cheaper on GPU at the margin), then the traffic split.
 */
export function chooseBackendPreference(input: BackendPreferenceInput): BackendPreference {
  const reasons: string[] = [];
  const cap = input.capacity;
  // A fresh pool snapshot with no healthy endpoint outranks closed breakers: nothing there would answer.
  const noGpuEndpoint = cap !== undefined && cap.healthyEndpoints === 0;
  const usable = (backend: CatalogBackend): boolean => input.healthy.has(backend) && !(backend === 'gpu' && noGpuEndpoint);
  for (const o of input.overrides) {
    if (o.backend && usable(o.backend)) {
      return { prefer: o.backend, override: o, reasons: [...reasons, `override_backend:${o.backend}:${o.id}`] };
    }
    const why = o.backend === 'gpu' && noGpuEndpoint && input.healthy.has('gpu') ? 'gpu_no_healthy_endpoint' : `${o.backend ?? 'none'}_unhealthy`;
    reasons.push(`override_skipped:${o.id}:${why}`);
  }
  const gpu = input.policy.gpu_capacity;
  if (cap && usable('gpu')) {
    if (gpu.avoid_when_waiting_above !== undefined && cap.totalWaiting > gpu.avoid_when_waiting_above && input.healthy.has('serverless')) {
      return { prefer: 'serverless', override: undefined, reasons: [...reasons, `gpu_busy:waiting=${cap.totalWaiting}`] };
    }
    const idle = cap.healthyEndpoints > 0 && cap.totalWaiting === 0 && cap.totalRunning < gpu.idle_when_running_below;
    if (idle && gpu.prefer_idle_gpu_for.includes(input.tier)) {
      return { prefer: 'gpu', override: undefined, reasons: [...reasons, 'gpu_idle'] };
    }
  }
  const share = input.split?.gpuShare ?? input.policy.gpu_share[input.tier];
  if (share !== undefined && input.splitDraw !== undefined) {
    const backend: CatalogBackend = input.splitDraw < share ? 'gpu' : 'serverless';
    const why = input.split ? `split:${backend}:${input.split.id}` : `split:${backend}`;
    if (usable(backend)) return { prefer: backend, override: input.split, reasons: [...reasons, why] };
  }
  return { prefer: undefined, override: undefined, reasons };
}
