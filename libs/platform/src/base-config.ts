import { z } from 'zod';
import { configValues } from './config-loader.ts';
import { telemetryConfigSchema } from './telemetry/telemetry-config.ts';

/** Settings every service shares; one set per process (a host running several services parses it once). */
export const baseConfigSchema = z.object({
  /** Interface to bind. @default 127.0.0.1 */
  SOPHIA_BIND_HOST: z.string().min(1).default('127.0.0.1'),
  /** pino level. @default info */
  SOPHIA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long in-flight calls may finish after SIGTERM before they are cut. @default 10000 */
  SOPHIA_SHUTDOWN_GRACE_MS: configValues.durationMs(10_000),
  /**
   * gRPC client library for calls to services in other processes: grpc-js (measured ~1.2–2 ms less
   * CPU per request in the router than connect-node) or connect-node. @default grpc-js
   */
  SOPHIA_GRPC_CLIENT: z.enum(['connect', 'grpc-js']).default('grpc-js'),
  /** The standard OTEL_* keys (tracing, sampling, export); see telemetry-config.ts. */
  ...telemetryConfigSchema.shape,
});
