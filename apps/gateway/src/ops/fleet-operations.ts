import { Code, ConnectError } from '@connectrpc/connect';

/** A GPU instance as operators see it. */
export interface GpuInstanceView {
  readonly id: string;
  readonly instanceType: string;
  readonly status: string;
  readonly region: string;
  readonly usdPerHour: number;
  readonly launchedAt: string;
}

/**
 * GPU fleet management as the operator commands need it. Implemented over the gpu-inference
 * FleetService once that lands; until then the gateway has none and gpu.* commands answer
 * FAILED_PRECONDITION (see {@link fleetNotConfigured}).
 */
export interface FleetOperations {
  list(): Promise<GpuInstanceView[]>;
  launch(instanceType: string | undefined, count: number): Promise<GpuInstanceView[]>;
  terminate(ids: readonly string[]): Promise<string[]>;
}

/** The error every gpu.* command gets while no fleet is configured. */
export function fleetNotConfigured(): ConnectError {
  return new ConnectError('fleet management is not configured: the gateway has no GPU fleet service to call (gpu.list, gpu.launch and gpu.terminate need it)', Code.FailedPrecondition);
}
