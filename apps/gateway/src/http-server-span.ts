import type { IncomingHttpHeaders } from 'node:http';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type TextMapGetter } from '@opentelemetry/api';
import { idsOnlyTelemetry, withServiceTelemetry, type ServiceTelemetry } from '@sophia/platform';

const nodeHeaderGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** One HTTP request's server span and the context its handling runs in. */
export interface HttpServerSpan {
  /** Holds the span and the gateway's telemetry: the router call and every log line descend from it. */
  readonly context: Context;
  /** Ends the span with the response's status (call on the response's 'close': whole stream, or client gone). */
  end(status: number, aborted: boolean): void;
}

/**
 * The root of a request's trace at the gateway: a SERVER span named `{method} {route}` (bounded
 * route labels, as the metrics use) continuing the client's `traceparent`/`baggage` when sent. A
 * client that went away mid-stream ends it too, marked `sophia.aborted`.
 */
export function startHttpServerSpan(telemetry: ServiceTelemetry | undefined, req: { method?: string | undefined; headers: IncomingHttpHeaders }, route: string, method: string): HttpServerSpan {
  const t = telemetry ?? idsOnlyTelemetry('gateway');
  const parent = propagation.extract(ROOT_CONTEXT, req.headers, nodeHeaderGetter);
  const attributes = t.recording ? { 'http.request.method': method, 'http.route': route, 'url.scheme': 'http' } : undefined;
  const span = t.tracer.startSpan(route === 'other' ? method : `${method} ${route}`, { kind: SpanKind.SERVER, attributes }, parent);
  return {
    context: withServiceTelemetry(trace.setSpan(parent, span), t),
    end(status, aborted) {
      if (span.isRecording()) {
        span.setAttribute('http.response.status_code', status);
        if (aborted) span.setAttribute('sophia.aborted', true);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}
