import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { Health, HealthCheckResponse_ServingStatus as Status } from '@sophia/contracts/grpc-health';

/** The serving state of a port's services, flipped by its owner (start, drain). */
export interface HealthState {
  /** Every service ('' = the whole server) to SERVING or NOT_SERVING. */
  setServing(serving: boolean): void;
  /** The status of one service; SERVICE_UNKNOWN for a name this port does not serve. */
  statusOf(service: string): Status;
  /** Names with a status: '' and every served service. */
  readonly names: readonly string[];
  /** Calls `listener` on every change until `signal` aborts. */
  subscribe(listener: () => void, signal: AbortSignal): void;
}

/** A health state for `services` (plus the server-wide ''), NOT_SERVING until told otherwise. */
export function createHealthState(services: readonly string[]): HealthState {
  const names = ['', ...services];
  let serving = false;
  const listeners = new Set<() => void>();
  return {
    names,
    setServing(next) {
      if (next === serving) return;
      serving = next;
      for (const l of [...listeners]) l();
    },
    statusOf: (service) => (!names.includes(service) ? Status.SERVICE_UNKNOWN : serving ? Status.SERVING : Status.NOT_SERVING),
    subscribe(listener, signal) {
      if (signal.aborted) return;
      listeners.add(listener);
      signal.addEventListener('abort', () => listeners.delete(listener), { once: true });
    },
  };
}

/**
 * `grpc.health.v1.Health` over connect-node: `Check` (NOT_FOUND for an unknown service, as the
 * protocol says), `Watch` (the current status, then every change) and `List`, for Kubernetes gRPC
 * probes, grpcurl and grpc-health-probe.
 */
export function createHealthService(state: HealthState): ServiceImpl<typeof Health> {
  return {
    check(req) {
      const status = state.statusOf(req.service);
      if (status === Status.SERVICE_UNKNOWN) throw new ConnectError(`unknown service ${JSON.stringify(req.service)}`, Code.NotFound);
      return { status };
    },
    async *watch(req, ctx) {
      let wake: (() => void) | undefined;
      let changed = false;
      state.subscribe(() => {
        changed = true;
        wake?.();
      }, ctx.signal);
      const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      let last: Status | undefined;
      while (!ctx.signal.aborted) {
        const status = state.statusOf(req.service);
        if (status !== last) {
          last = status;
          yield { status };
        }
        if (!changed) await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        changed = false;
      }
    },
    list() {
      return { statuses: Object.fromEntries(state.names.map((n) => [n, { status: state.statusOf(n) }])) };
    },
  };
}

export { Health };
