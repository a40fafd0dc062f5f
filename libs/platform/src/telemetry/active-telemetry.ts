import { context, createContextKey, type Context, type Tracer } from '@opentelemetry/api';
import { AlwaysOffSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import type { GenAiMetrics } from './genai-metrics.ts';
import { TRACER_NAME, type ServiceTelemetry } from './service-telemetry-types.ts';

const TELEMETRY_KEY = createContextKey('sophia.service-telemetry');

/** `ctx` with `telemetry` as the serving service's: spans started below it use its tracer. */
export function withServiceTelemetry(ctx: Context, telemetry: ServiceTelemetry): Context {
  return ctx.setValue(TELEMETRY_KEY, telemetry);
}

/**
 * The telemetry of the service whose call is running here (set by the server span of the call),
 * so a handler's own spans and metrics are its service's without threading a tracer through every
 * function — and stay right when several services share a process.
 */
export function activeTelemetry(ctx: Context = context.active()): ServiceTelemetry | undefined {
  return ctx.getValue(TELEMETRY_KEY) as ServiceTelemetry | undefined;
}

let idsOnlyTracer: Tracer | undefined;

/**
 * Telemetry that records nothing but still mints ids: a child span gets its own span id under the
 * parent's trace id, so logs and propagated `traceparent`s stay correct when nothing is exported
 * (and for code that runs outside any hosted service, such as a test or a CLI). One sampler-off
 * provider serves the whole process.
 */
export function idsOnlyTelemetry(service = 'sophia', genAi?: GenAiMetrics): ServiceTelemetry {
  idsOnlyTracer ??= new TracerProvider({ sampler: new AlwaysOffSampler() }).getTracer(TRACER_NAME);
  return { service, tracer: idsOnlyTracer, recording: false, captureContent: false, genAi, shutdown: () => Promise.resolve() };
}

const fallback = idsOnlyTelemetry();

/** The active service's telemetry, or the ids-only one outside any. */
export function currentTelemetry(ctx: Context = context.active()): ServiceTelemetry {
  return activeTelemetry(ctx) ?? fallback;
}
