import { context, isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { currentTelemetry, withServiceTelemetry } from './active-telemetry.ts';
import { headerGetter } from './header-carrier.ts';
import { propagatesW3cDefaults } from './otel-context.ts';
import type { ServiceTelemetry } from './service-telemetry-types.ts';

/** How a call travelled: over a gRPC socket (either client library) or within one process. */
export type RpcTransport = 'grpc' | 'in-process';

// gRPC codes a server span marks as errors (the semantic conventions' list for servers); a client
// span marks every non-OK code.
const SERVER_ERROR_CODES = new Set([2, 4, 12, 13, 14, 15]);

function rpcAttributes(service: DescService, method: DescMethod, transport: RpcTransport): Attributes {
  return { 'rpc.system': 'grpc', 'rpc.service': service.typeName, 'rpc.method': method.name, 'sophia.transport': transport };
}

/**
 * The client span of one outgoing RPC, child of the active span, named `{service}/{method}` as the
 * RPC semantic conventions ask. Undefined when no span is active (a call made outside any request:
 * nothing to continue, so no `traceparent` is sent, as before OTel). The returned context holds the
 * client span: inject it into the request's headers.
 */
export function startRpcClientSpan(service: DescService, method: DescMethod, transport: RpcTransport, address?: string): { span: Span; context: Context } | undefined {
  const active = context.active();
  const parent = trace.getSpanContext(active);
  if (!parent || !isSpanContextValid(parent)) return undefined;
  const telemetry = currentTelemetry(active);
  const attributes = telemetry.recording ? { ...rpcAttributes(service, method, transport), ...(address ? { 'server.address': address } : {}) } : undefined;
  const span = telemetry.tracer.startSpan(`${service.typeName}/${method.name}`, { kind: SpanKind.CLIENT, attributes }, active);
  return { span, context: trace.setSpan(active, span) };
}

/**
 * What a callee in this process would extract from headers its caller's client span was injected
 * into, with the default propagators (W3C trace context and baggage): the span context as a remote
 * parent — without formatting and parsing `traceparent`. Undefined when other propagators are
 * configured, when the caller has baggage, or when there is no valid span context: then the
 * headers carry it, as on the wire.
 */
export function inProcessParent(client: Context): Context | undefined {
  if (!propagatesW3cDefaults()) return undefined;
  // Baggage keeps the header path: its propagator trims entries to the W3C size limits.
  if (propagation.getBaggage(client) !== undefined) return undefined;
  const sc = trace.getSpanContext(client);
  return sc && isSpanContextValid(sc) ? trace.setSpanContext(ROOT_CONTEXT, { ...sc, isRemote: true }) : undefined;
}

/**
 * The server span of one inbound RPC: its parent is what the caller propagated in `headers`
 * (`traceparent`, `baggage`) — or `parent` when the caller handed it over in process — or a new
 * trace. The returned context holds the span and the serving service's telemetry, so every span
 * the handler starts is its service's.
 */
export function startRpcServerSpan(
  telemetry: ServiceTelemetry,
  headers: Headers,
  service: DescService,
  method: DescMethod,
  transport: RpcTransport,
  inProcess?: Context,
): { span: Span; context: Context } {
  const parent = inProcess ?? propagation.extract(ROOT_CONTEXT, headers, headerGetter);
  const attributes = telemetry.recording ? rpcAttributes(service, method, transport) : undefined;
  const span = telemetry.tracer.startSpan(`${service.typeName}/${method.name}`, { kind: SpanKind.SERVER, attributes }, parent);
  return { span, context: withServiceTelemetry(trace.setSpan(parent, span), telemetry) };
}

/** Ends an RPC span with its gRPC status code; a failure's message (never its payload) becomes the span status. */
export function endRpcSpan(span: Span | undefined, code: number, err?: unknown, kind: 'client' | 'server' = 'server'): void {
  if (!span) return;
  if (span.isRecording()) {
    span.setAttribute('rpc.grpc.status_code', code);
    if (code !== 0 && (kind === 'client' || SERVER_ERROR_CODES.has(code))) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message.slice(0, 300) : undefined });
      if (err instanceof Error) span.setAttribute('error.type', err.name === 'ConnectError' ? `grpc_${code}` : err.name);
    }
  }
  span.end();
}
