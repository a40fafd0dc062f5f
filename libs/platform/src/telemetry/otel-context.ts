import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';

let contextInstalled = false;
let propagatorsSet: string | undefined;

/** The propagators {@link installOtelContext} installs unless told otherwise. */
const DEFAULT_PROPAGATORS = 'tracecontext,baggage';

/**
 * True when this process propagates with W3C trace context and baggage (the default): an in-process
 * call may then hand its callee the span context directly instead of writing and parsing headers.
 */
export function propagatesW3cDefaults(): boolean {
  return propagatorsSet === DEFAULT_PROPAGATORS;
}

/**
 * Installs, once per process, what every hop relies on: OTel's AsyncLocalStorage context manager
 * (the active span and the call context live in it) and the propagators that write and read
 * `traceparent` / `tracestate` / `baggage` on every gRPC, Connect, in-process and upstream call.
 * Called with no argument it only makes sure a context manager and the default propagators
 * (tracecontext, baggage) exist; a host passes OTEL_PROPAGATORS to choose them.
 */
export function installOtelContext(propagators?: readonly string[]): void {
  if (!contextInstalled) {
    contextInstalled = true;
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  const wanted = propagators ?? (propagatorsSet === undefined ? DEFAULT_PROPAGATORS.split(',') : undefined);
  if (wanted === undefined) return;
  const key = wanted.join(',');
  if (key === propagatorsSet) return;
  propagatorsSet = key;
  propagation.disable();
  const chosen = [
    ...(wanted.includes('tracecontext') ? [new W3CTraceContextPropagator()] : []),
    ...(wanted.includes('baggage') ? [new W3CBaggagePropagator()] : []),
  ];
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: wanted.includes('none') ? [] : chosen }));
}
