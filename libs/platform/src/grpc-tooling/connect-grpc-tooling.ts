import type { DescService } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import { createDescriptorIndex } from './descriptor-index.ts';
import { createHealthService, createHealthState, Health, type HealthState } from './health-service.ts';
import { createReflectionService, createReflectionServiceV1Alpha, ServerReflection, ServerReflectionV1Alpha } from './reflection-service.ts';

/** The protocol services every port serves besides its own (what reflection lists with them). */
export const TOOLING_SERVICES: readonly DescService[] = [Health, ServerReflection, ServerReflectionV1Alpha];

/**
 * Adds `grpc.health.v1.Health` and server reflection (v1 and v1alpha) to a connect-node router
 * that serves `services`: reflection lists exactly those plus the tooling services, health knows
 * each by name. Returns the health switch (NOT_SERVING until the caller says SERVING).
 */
export function addGrpcTooling(router: ConnectRouter, services: readonly DescService[]): HealthState {
  const served = [...services, ...TOOLING_SERVICES];
  const index = createDescriptorIndex(served);
  const health = createHealthState(served.map((s) => s.typeName));
  router.service(Health, createHealthService(health));
  router.service(ServerReflection, createReflectionService(index));
  router.service(ServerReflectionV1Alpha, createReflectionServiceV1Alpha(index));
  return health;
}

/** Minimal response surface of Node's http/http2 responses (`stream` on HTTP/2 only). */
interface GrpcFallbackResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(): unknown;
  readonly stream?: { respond(headers: Record<string, string | number>, options: { endStream: boolean }): void };
}

/**
 * For a connect-node adapter's fallback: a gRPC or gRPC-Web request for a method this port does
 * not serve gets a trailers-only UNIMPLEMENTED (status 12), as gRPC requires — not an HTTP error
 * page that clients report as "server closed the stream without sending trailers". Returns false
 * (nothing written) for any other request.
 */
export function answerUnimplementedGrpc(req: { headers: Record<string, string | string[] | undefined>; url?: string | undefined }, res: GrpcFallbackResponse): boolean {
  const type = req.headers['content-type'];
  const contentType = (Array.isArray(type) ? type[0] : type)?.toLowerCase() ?? '';
  if (!contentType.startsWith('application/grpc')) return false;
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const message = encodeURIComponent(`unknown method ${path.slice(0, 200)}`);
  const headers = { 'content-type': contentType.startsWith('application/grpc-web') ? 'application/grpc-web+proto' : 'application/grpc', 'grpc-status': '12', 'grpc-message': message };
  // Trailers-only over HTTP/2 is one HEADERS frame with END_STREAM; Node's compat writeHead()+end()
  // would send an empty DATA frame after it, which gRPC clients read as a call without status.
  if (res.stream) res.stream.respond({ ':status': 200, ...headers }, { endStream: true });
  else {
    res.writeHead(200, headers);
    res.end();
  }
  return true;
}
