import { Counter, Histogram, type Registry } from 'prom-client';

/** HTTP request metrics of the gateway's one port (REST and Connect/gRPC alike). */
export interface HttpMetrics {
  /** Records one finished request. */
  observe(labels: { route: string; method: string; status: number }, seconds: number): void;
}

const KNOWN_ROUTES = new Set([
  '/v1/chat/completions',
  '/v1/models',
  '/healthz',
  '/readyz',
  '/sophia.gateway.v1.ChatService/Complete',
  '/sophia.gateway.v1.ChatService/CompleteStream',
  '/sophia.gateway.v1.ChatService/ListModels',
]);
const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);

/** The `route` label: a known path or "other", so scanners cannot blow up label cardinality. */
export function routeLabel(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return KNOWN_ROUTES.has(path) ? path : 'other';
}

/** The `method` label, bounded the same way. */
export function methodLabel(method: string | undefined): string {
  return method && KNOWN_METHODS.has(method) ? method : 'other';
}

/**
 * Request count and latency by route, method and HTTP status, registered on the service's
 * registry (so `/metrics` shows them next to the Node runtime metrics).
 */
export function createHttpMetrics(registry: Registry): HttpMetrics {
  const requests = new Counter({
    name: 'http_server_requests_total',
    help: 'HTTP requests answered, by route, method and status.',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Time from request to the end of the response (whole stream for SSE and server streams).',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  return {
    observe({ route, method, status }, seconds) {
      const labels = { route, method, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}
