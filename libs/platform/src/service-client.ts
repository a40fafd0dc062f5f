import { createClient, type Client, type Interceptor } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import type { DescService } from '@bufbuild/protobuf';
import { createContextInterceptor } from './context-interceptor.ts';

/** Options for {@link createServiceClient}. */
export interface ServiceClientOptions {
  /** Extra interceptors, run after context propagation. */
  readonly interceptors?: readonly Interceptor[];
  /** Sent when the caller gives no deadline of its own. */
  readonly defaultTimeoutMs?: number;
}

/**
 * A typed gRPC client (HTTP/2, connect-node) for another mesh service at `host:port`, with request
 * id, trace context and deadline propagated from the call being served.
 */
export function createServiceClient<S extends DescService>(service: S, address: string, options: ServiceClientOptions = {}): Client<S> {
  const transport = createGrpcTransport({
    baseUrl: `http://${address}`,
    interceptors: [createContextInterceptor(), ...(options.interceptors ?? [])],
    defaultTimeoutMs: options.defaultTimeoutMs,
    pingIntervalMs: 30_000,
    idleConnectionTimeoutMs: 60_000,
  });
  return createClient(service, transport);
}
