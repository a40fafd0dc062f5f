import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

/** Reads propagation fields (`traceparent`, `tracestate`, `baggage`) from fetch `Headers`. */
export const headerGetter: TextMapGetter<Headers> = {
  keys: (carrier) => [...carrier.keys()],
  get: (carrier, key) => carrier.get(key) ?? undefined,
};

/** Writes propagation fields into fetch `Headers` (in-process calls, Connect requests). */
export const headerSetter: TextMapSetter<Headers> = {
  set: (carrier, key, value) => carrier.set(key, value),
};
