import { z } from 'zod';
import { configValues } from './config-loader.ts';
import { telemetryConfigSchema } from './telemetry/telemetry-config.ts';

const MESH_SECRET = /^[\x21-\x7e]{32,512}$/;
const MESH_SECRET_RULE = 'expected 32–512 printable characters without spaces (e.g. `openssl rand -hex 32`)';

/** A comma-separated list of mesh secrets, each checked like the token itself; unset or empty: none. */
function meshSecretList() {
  return configValues
    .list()
    .refine((items) => items.every((t) => MESH_SECRET.test(t)), `each token: ${MESH_SECRET_RULE}`)
    .default([]);
}

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
  /**
   * Shared secret every internal gRPC call carries (x-sophia-mesh-token); a service with it set
   * refuses callers without it (UNAUTHENTICATED). Unset: no check (local mode binds 127.0.0.1).
   * deploy/ sets it from keys SOPHIA_MESH_TOKEN and SOPHIA_MESH_ADMIN_TOKEN of the `sophia-secrets` Secret.
   */
  SOPHIA_MESH_TOKEN: z.string().regex(MESH_SECRET, MESH_SECRET_RULE).optional(),
  /**
   * Second secret for admin RPCs (overrides, budgets, GPU instances; x-sophia-admin-token): callers
   * without it get PERMISSION_DENIED. Give it to the gateway and operators only.
   */
  SOPHIA_MESH_ADMIN_TOKEN: z.string().regex(MESH_SECRET, MESH_SECRET_RULE).optional(),
  /**
   * Further mesh tokens this process accepts from callers but never sends (comma-separated): the
   * overlap that lets SOPHIA_MESH_TOKEN rotate by rolling restarts without a refused call
   * (docs/operations.md, "Rotating the mesh tokens"). Ignored unless SOPHIA_MESH_TOKEN is set.
   */
  SOPHIA_MESH_ACCEPTED_TOKENS: meshSecretList(),
  /** The same overlap for SOPHIA_MESH_ADMIN_TOKEN. */
  SOPHIA_MESH_ACCEPTED_ADMIN_TOKENS: meshSecretList(),
});
