import { createClient, type Client, type Interceptor } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import type { DescService } from '@bufbuild/protobuf';
import { createContextInterceptor } from './context-interceptor.ts';
import { createGrpcJsClient } from './grpc-js-client.ts';
import { createMeshCredentialsInterceptor } from './mesh-auth/mesh-credentials-interceptor.ts';

/** Which gRPC client library carries internal calls; both give the same `Client<S>` surface. */
export type ClientTransport = 'connect' | 'grpc-js';

/** Options for {@link createServiceClient}. */
export interface ServiceClientOptions {
  /** Extra interceptors, run after context propagation (connect transport only). */
  readonly interceptors?: readonly Interceptor[];
  /** Sent when the caller gives no deadline of its own (connect transport only). */
  readonly defaultTimeoutMs?: number;
  /** @default the process default, see {@link setDefaultClientTransport} */
  readonly transport?: ClientTransport;
}

let processDefault: ClientTransport = 'grpc-js';

/** Sets the transport used when a caller does not choose one (runService sets it from SOPHIA_GRPC_CLIENT; default grpc-js). */
export function setDefaultClientTransport(transport: ClientTransport): void {
  processDefault = transport;
}

/**
 * A typed gRPC client (HTTP/2) for another mesh service at `host:port`, with request id, trace
 * context and deadline propagated from the call being served, and this process's mesh credentials.
 */
export function createServiceClient<S extends DescService>(service: S, address: string, options: ServiceClientOptions = {}): Client<S> {
  if ((options.transport ?? processDefault) === 'grpc-js' && !options.interceptors?.length) return createGrpcJsClient(service, address);
  const transport = createGrpcTransport({
    baseUrl: `http://${address}`,
    interceptors: [createContextInterceptor(), createMeshCredentialsInterceptor(), ...(options.interceptors ?? [])],
    defaultTimeoutMs: options.defaultTimeoutMs,
    pingIntervalMs: 30_000,
    idleConnectionTimeoutMs: 60_000,
  });
  return createClient(service, transport);
}
