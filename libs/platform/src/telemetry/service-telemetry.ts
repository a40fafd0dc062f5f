import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Registry } from 'prom-client';
import { idsOnlyTelemetry } from './active-telemetry.ts';
import { createGenAiMetrics } from './genai-metrics.ts';
import { installOtelContext } from './otel-context.ts';
import { TRACER_NAME, type ServiceTelemetry } from './service-telemetry-types.ts';
import { tracesExportUrl, tracingEnabled, type SamplerName, type TelemetryConfig } from './telemetry-config.ts';

/** Options for {@link createServiceTelemetry}. */
export interface ServiceTelemetryOptions {
  /** Short service name, e.g. "router" (`service.name` becomes `sophia-router` unless OTEL_SERVICE_NAME is set). */
  readonly service: string;
  readonly config: TelemetryConfig;
  /** Where the GenAI histograms are registered (the service's `/metrics`); omitted: none. */
  readonly registry?: Registry | undefined;
  /**
   * Records every span into this exporter, each as it ends, whatever the OTLP keys say (tests,
   * tools that inspect their own spans).
   */
  readonly spanExporter?: SpanExporter | undefined;
}

function samplerFor(name: SamplerName, ratio: number): Sampler {
  const root = (n: string): Sampler =>
    n.endsWith('always_on') ? new AlwaysOnSampler() : n.endsWith('always_off') ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(ratio);
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root: root(name) }) : root(name);
}

function exporterFor(config: TelemetryConfig): SpanExporter | undefined {
  if (config.OTEL_TRACES_EXPORTER === 'console') return new ConsoleSpanExporter();
  const url = tracesExportUrl(config);
  if (url === undefined) return undefined;
  return new OTLPTraceExporter({
    url,
    headers: { ...config.OTEL_EXPORTER_OTLP_HEADERS, ...config.OTEL_EXPORTER_OTLP_TRACES_HEADERS },
    timeoutMillis: config.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? config.OTEL_EXPORTER_OTLP_TIMEOUT,
  });
}

/**
 * Builds a service's tracer from the parsed OTEL_* settings: with an exporter, a TracerProvider of
 * its own (resource, sampler, batch processor — the queue drops spans rather than block a request);
 * without one, the shared non-recording tracer, which costs an id and a context per hop.
 */
export function createServiceTelemetry(options: ServiceTelemetryOptions): ServiceTelemetry {
  installOtelContext(options.config.OTEL_PROPAGATORS);
  const config = options.config;
  const exporter = options.spanExporter ?? (tracingEnabled(config) ? exporterFor(config) : undefined);
  if (exporter === undefined || config.OTEL_SDK_DISABLED) {
    return idsOnlyTelemetry(options.service, options.registry ? createGenAiMetrics(options.registry) : undefined);
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      ...config.OTEL_RESOURCE_ATTRIBUTES,
      [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME ?? config.OTEL_RESOURCE_ATTRIBUTES?.[ATTR_SERVICE_NAME] ?? `sophia-${options.service}`,
      'sophia.service': options.service,
    }),
    sampler: samplerFor(config.OTEL_TRACES_SAMPLER, config.OTEL_TRACES_SAMPLER_ARG),
    spanProcessors: [
      options.spanExporter ? new SimpleSpanProcessor({ exporter }) : new BatchSpanProcessor({
        exporter,
        scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY,
        exportTimeoutMillis: config.OTEL_BSP_EXPORT_TIMEOUT,
        maxQueueSize: config.OTEL_BSP_MAX_QUEUE_SIZE,
        maxExportBatchSize: Math.min(config.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, config.OTEL_BSP_MAX_QUEUE_SIZE),
      }),
    ],
  });
  let stopping: Promise<void> | undefined;
  return {
    service: options.service,
    tracer: provider.getTracer(TRACER_NAME),
    recording: true,
    captureContent: config.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
    genAi: options.registry ? createGenAiMetrics(options.registry) : undefined,
    shutdown: () => (stopping ??= provider.shutdown().catch(() => undefined)),
  };
}
