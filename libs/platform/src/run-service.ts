import type { z } from 'zod';
import type { Logger } from 'pino';
import type { baseConfigSchema } from './base-config.ts';
import type { RunningGrpcServer } from './grpc-server.ts';
import { runServiceHost } from './hosting/run-service-host.ts';
import { defineHostedService, type StartedService } from './hosting/service-module.ts';
import type { MetricsServer } from './metrics-server.ts';
import type { ServiceMetrics } from './service-metrics.ts';

export { baseConfigSchema } from './base-config.ts';
export type { StartedService } from './hosting/service-module.ts';

/** What a service's `start` receives. */
export interface ServiceStartContext<C> {
  readonly config: C;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
}

/** Options for {@link runService}. */
export interface RunServiceOptions<S extends z.ZodObject> {
  /** Short service name, e.g. "router"; used in logs and metrics. */
  readonly name: string;
  /** The service's own keys (the shared keys and the two port keys are added by the host). */
  readonly configSchema: S;
  /** Env key of the gRPC port, e.g. "SOPHIA_ROUTER_PORT". */
  readonly portKey: string;
  /** Default gRPC port when the key is unset. */
  readonly defaultPort: number;
  readonly start: (ctx: ServiceStartContext<z.infer<S> & z.infer<typeof baseConfigSchema>>) => Promise<StartedService>;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A service started by {@link runService}. */
export interface RunningService {
  readonly grpc: RunningGrpcServer | undefined;
  readonly metricsServer: MetricsServer;
  readonly logger: Logger;
  stop(): Promise<void>;
}

/**
 * One service alone in its process, outside the registry (a tool or a test double that serves a
 * contract): the same host lifecycle as `SOPHIA_SERVICES=<name>`, without dependencies. Mesh
 * services register in apps/mesh/src/service-registry.ts instead.
 */
export async function runService<S extends z.ZodObject>(options: RunServiceOptions<S>): Promise<RunningService> {
  const hosted = defineHostedService(options.configSchema, (ctx) => options.start(ctx));
  const host = await runServiceHost({
    registry: [{ name: options.name, portKey: options.portKey, defaultPort: options.defaultPort, dependsOn: {}, load: () => Promise.resolve(hosted) }],
    env: { ...(options.env ?? process.env), SOPHIA_SERVICES: options.name },
  });
  const instance = host.instances[0]!;
  return { grpc: instance.grpc, metricsServer: instance.metricsServer, logger: instance.logger, stop: () => host.stop() };
}
