import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Per-process Prometheus metrics every service exports: request rate, errors and latency per
 * gRPC method (labels bounded by the contract: service, method, code), plus Node runtime metrics.
 */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly started: Counter<'grpc_service' | 'grpc_method' | 'grpc_type'>;
  readonly handled: Counter<'grpc_service' | 'grpc_method' | 'grpc_type' | 'grpc_code'>;
  readonly handlingSeconds: Histogram<'grpc_service' | 'grpc_method' | 'grpc_type'>;
  readonly streamMessagesSent: Counter<'grpc_service' | 'grpc_method'>;
}

/** Creates the registry and standard metrics; `service` becomes a default label. */
export function createServiceMetrics(service: string, options: { collectDefaults?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.collectDefaults ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    started: new Counter({
      name: 'grpc_server_started_total',
      help: 'RPCs started on the server.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_type'],
      registers: [registry],
    }),
    handled: new Counter({
      name: 'grpc_server_handled_total',
      help: 'RPCs completed on the server, by status code.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_type', 'grpc_code'],
      registers: [registry],
    }),
    handlingSeconds: new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Time from start to status of RPCs on the server (whole stream for streaming RPCs).',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_type'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    streamMessagesSent: new Counter({
      name: 'grpc_server_msg_sent_total',
      help: 'Messages sent on server streams.',
      labelNames: ['grpc_service', 'grpc_method'],
      registers: [registry],
    }),
  };
}
