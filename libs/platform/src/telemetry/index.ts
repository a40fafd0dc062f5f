export { telemetryConfigSchema, tracesExportUrl, tracingEnabled, type TelemetryConfig, type SamplerName } from './telemetry-config.ts';
export { createServiceTelemetry, type ServiceTelemetryOptions } from './service-telemetry.ts';
export { TRACER_NAME, type ServiceTelemetry } from './service-telemetry-types.ts';
export { activeTelemetry, currentTelemetry, idsOnlyTelemetry, withServiceTelemetry } from './active-telemetry.ts';
export { installOtelContext } from './otel-context.ts';
export { headerGetter, headerSetter } from './header-carrier.ts';
export { startRpcClientSpan, startRpcServerSpan, endRpcSpan, type RpcTransport } from './rpc-spans.ts';
export { startSpan, inSpan, inSpanSync, failSpan, withActiveSpan, addSpanEvent, setSpanAttributes, spanIsRecording, type StartSpanOptions } from './spans.ts';
export { createGenAiMetrics, type GenAiMetrics, type ModelCallMetrics } from './genai-metrics.ts';
