import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import type { Logger } from 'pino';
import { createGrpcServiceBinding } from './grpc-service-adapter.ts';
import { addGrpcJsTooling } from './grpc-tooling/grpc-js-tooling.ts';
import type { MeshCallGuard } from './mesh-auth/mesh-call-guard.ts';
import type { ServiceMetrics } from './service-metrics.ts';
import type { ServiceTelemetry } from './telemetry/service-telemetry-types.ts';

/** A service descriptor with its implementation; build with {@link serviceRegistration} for type safety. */
export interface ServiceRegistration {
  readonly service: DescService;
  readonly impl: object;
}

/** Pairs a descriptor with an implementation, checked against the generated types. */
export function serviceRegistration<S extends DescService>(service: S, impl: Partial<ServiceImpl<S>>): ServiceRegistration {
  return { service, impl };
}

/** Options for {@link startGrpcServer}. */
export interface GrpcServerOptions {
  readonly services: readonly ServiceRegistration[];
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics | undefined;
  /** The serving service's tracer (a server span per call). @default ids only, nothing recorded */
  readonly telemetry?: ServiceTelemetry | undefined;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** Largest inbound message. @default 4 MiB */
  readonly maxReceiveMessageBytes?: number;
  /** Refuses callers that are not the mesh (health and reflection stay open for probes). */
  readonly guard?: MeshCallGuard | undefined;
}

/** A listening server with its health switch and graceful stop. */
export interface RunningGrpcServer {
  readonly port: number;
  readonly address: string;
  /** Flip `grpc.health.v1` for the whole server and every registered service. */
  setServing(serving: boolean): void;
  /**
   * Graceful stop: NOT_SERVING, abort in-flight handlers' shutdown signal, `tryShutdown`, and
   * `forceShutdown` when the grace period runs out.
   */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * TCP_NODELAY on every accepted connection. grpc-js sets it on its client sockets but creates its
 * HTTP/2 server without it, so a streamed response's frames after the headers waited for the peer's
 * delayed ACK (≈ 40 ms per hop on Linux: +52 ms time to first token through the multi-process mesh).
 * grpc-js has no option for it; its server options object is handed to `http2.createServer` at bind
 * time, and Node's `net.Server` honours `noDelay`. grpc-server.spec.ts fails if that ever changes.
 */
function disableNagle(server: Server): void {
  const internals = server as unknown as { commonServerOptions?: Record<string, unknown> };
  if (internals.commonServerOptions) internals.commonServerOptions['noDelay'] = true;
}

/**
 * Starts a grpc-js server for protobuf-es services with `grpc.health.v1` health and server
 * reflection (v1 and v1alpha) added to every server.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const shutdownController = new AbortController();
  const server = new Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 4 * 1024 * 1024,
    'grpc.keepalive_permit_without_calls': 1,
    // Channelz (per-call counters and traces for a channelz service) is not served here: don't pay for it.
    'grpc.enable_channelz': 0,
  });
  disableNagle(server);
  for (const reg of options.services) {
    const binding = createGrpcServiceBinding(reg.service, reg.impl, {
      logger: options.logger,
      metrics: options.metrics,
      shutdownSignal: shutdownController.signal,
      telemetry: options.telemetry,
      guard: options.guard,
    });
    server.addService(binding.definition, binding.handlers);
  }
  // Reflection lists exactly what this server serves — its services, health and reflection — not
  // every service of the files they import (the router's file imports the classifier's).
  const health = addGrpcJsTooling(server, options.services.map((r) => r.service), shutdownController.signal);
  const host = options.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port ?? 0}`, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  const setServing = (serving: boolean): void => {
    health.setServing(serving);
  };
  setServing(true);
  let stopping: Promise<void> | undefined;
  return {
    port,
    address: `${host}:${port}`,
    setServing,
    shutdown(graceMs: number): Promise<void> {
      stopping ??= new Promise<void>((resolve) => {
        setServing(false);
        const timer = setTimeout(() => {
          options.logger.warn({ graceMs }, 'grace period over: forcing shutdown');
          server.forceShutdown();
          resolve();
        }, graceMs);
        timer.unref();
        // Give streams a moment to finish on their own before aborting them.
        const abortTimer = setTimeout(() => shutdownController.abort(new Error('server is shutting down')), Math.floor(graceMs / 2));
        abortTimer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          clearTimeout(abortTimer);
          resolve();
        });
      });
      return stopping;
    },
  };
}
