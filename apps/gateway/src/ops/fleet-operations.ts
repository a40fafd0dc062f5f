import { Code, ConnectError } from '@connectrpc/connect';

/** A GPU instance as operators see it. */
export interface GpuInstanceView {
  readonly id: string;
  readonly instanceType: string;
  readonly tier: string;
  /** booting, in_pool, draining, terminated. */
  readonly state: string;
  readonly region: string;
  readonly usdPerHour: number;
  readonly launchedAt: string | null;
}

/** The fleet as a whole: its mode and the pools it can grow. */
export interface FleetView {
  /** plan (recommends only), auto (launches and terminates), off (no cloud API key). */
  readonly mode: 'plan' | 'auto' | 'off' | 'unspecified';
  readonly instances: readonly GpuInstanceView[];
  readonly pools: ReadonlyArray<{ readonly tier: string; readonly instanceType: string; readonly usdPerHour: number | undefined }>;
}

/**
 * GPU fleet management as the operator commands need it, implemented over gpu-inference's
 * FleetService (fleet-service-operations.ts). Absent when the gateway has no gpu-inference address:
 * gpu.* commands then answer FAILED_PRECONDITION (see {@link fleetNotConfigured}).
 */
export interface FleetOperations {
  view(): Promise<FleetView>;
  /** Holds `count` more instances in `tier`'s pool; answers the pool's new target. */
  launch(tier: string, count: number, actor: string, reason: string): Promise<{ target: number; holdUntil: string | null }>;
  terminate(ids: readonly string[], actor: string, reason: string): Promise<Array<{ id: string; willBeReplaced: boolean }>>;
}

/** The error every gpu.* command gets while no fleet is configured. */
export function fleetNotConfigured(detail = 'the gateway has no GPU fleet service to call'): ConnectError {
  return new ConnectError(`fleet management is not configured: ${detail} (gpu.list, gpu.launch and gpu.terminate need it)`, Code.FailedPrecondition);
}
