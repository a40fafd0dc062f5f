import type { DescService } from '@bufbuild/protobuf';
import type { Client } from '@connectrpc/connect';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ServiceRegistration } from '../grpc-server.ts';
import type { baseConfigSchema } from '../run-service.ts';
import type { ServiceMetrics } from '../service-metrics.ts';
import type { ServiceTelemetry } from '../telemetry/service-telemetry-types.ts';

/** Whether a service cannot start without another one, or merely uses it when present. */
export type DependencyNeed = 'required' | 'optional';

/**
 * One service's registration in the hosting model: everything a host, `npm start` and the
 * deployment tooling need to know about it without loading its code. Adding a service to the mesh
 * is one of these in the registry (apps/mesh/src/service-registry.ts).
 */
export interface ServiceModule {
  /** Short name, e.g. "router": SOPHIA_SERVICES entries, logs, metrics and `SOPHIA_<NAME>_ADDR`. */
  readonly name: string;
  /** Env key of the port it listens on, e.g. "SOPHIA_ROUTER_PORT" (its HTTP port for the gateway). */
  readonly portKey: string;
  /** The port when `portKey` is unset (a fixed port for deployments; `npm start` passes free ones). */
  readonly defaultPort: number;
  /** Services it calls, by name: in process when hosted together, else over gRPC at `SOPHIA_<NAME>_ADDR`. */
  readonly dependsOn: Readonly<Record<string, DependencyNeed>>;
  /** Loads the implementation; a host calls it only for services it hosts. */
  readonly load: () => Promise<HostedService>;
}

/** The settings every hosted service shares (bind host, log level, drain grace, gRPC client). */
export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** What a service's `start` receives from its host. */
export interface HostedServiceContext<C> {
  readonly config: C & BaseConfig;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Its tracer and GenAI metrics; handlers find them in the active context of each call they serve. */
  readonly telemetry: ServiceTelemetry;
  /** The environment the host parsed, for keys a schema cannot name in advance (per-provider keys). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The port `portKey` asks for (0: a free one); the host binds it for gRPC services, others bind it themselves. */
  readonly port: number;
  /**
   * A client for the service `name` (one of `dependsOn`): in process when this host runs it, over
   * gRPC at `SOPHIA_<NAME>_ADDR` otherwise, undefined when neither (an optional dependency left out).
   */
  connect<S extends DescService>(service: S, name: string): Client<S> | undefined;
  /**
   * The listening line of `name` (one of `dependsOn`) when this host runs it, e.g. the gateway's
   * `http` URL for a service that calls it over HTTP (the MCP server); undefined when it is elsewhere.
   */
  listeningOf(name: string): Readonly<Record<string, unknown>> | undefined;
}

/** What `start` returns: the gRPC services it serves, extra fields for its listening line, and its cleanup. */
export interface StartedService {
  /** Served on the module's gRPC port with health and reflection (none: no gRPC port, e.g. the gateway). */
  readonly services: readonly ServiceRegistration[];
  /** Added to the listening line, e.g. `{ http: "http://127.0.0.1:8080" }`. */
  readonly listening?: Readonly<Record<string, unknown>>;
  /** Called after its servers stopped (close pools, timers, Redis…). */
  readonly close?: () => Promise<void>;
}

/** A loaded service: its configuration schema and how to start it. */
export interface HostedService {
  readonly configSchema: z.ZodObject;
  start(ctx: HostedServiceContext<Record<string, unknown>>): Promise<StartedService>;
}

/** Pairs a service's own config schema with its `start`, typed against each other. */
export function defineHostedService<S extends z.ZodObject>(
  configSchema: S,
  start: (ctx: HostedServiceContext<z.infer<S>>) => Promise<StartedService>,
): HostedService {
  return { configSchema, start: start as HostedService['start'] };
}

/** `SOPHIA_<NAME>_ADDR`: where a service is reached when it is not hosted in the caller's process. */
export function addressKey(name: string): string {
  return `SOPHIA_${name.toUpperCase().replace(/-/g, '_')}_ADDR`;
}
