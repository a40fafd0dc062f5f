import type { Tracer } from '@opentelemetry/api';
import type { GenAiMetrics } from './genai-metrics.ts';

/** The instrumentation scope every span of the mesh is recorded under. */
export const TRACER_NAME = '@sophia/platform';

/**
 * One hosted service's telemetry: the tracer its spans are started on (its own `service.name`, so
 * services sharing a process still show as separate services in Jaeger), its GenAI metrics, and
 * whether anything is recorded at all.
 */
export interface ServiceTelemetry {
  readonly service: string;
  readonly tracer: Tracer;
  /** False when nothing is exported: span code may skip work that only feeds attributes. */
  readonly recording: boolean;
  /** Prompt and completion text may be put on spans (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT). */
  readonly captureContent: boolean;
  readonly genAi: GenAiMetrics | undefined;
  /** Exports what is buffered and stops the exporter. Idempotent. */
  shutdown(): Promise<void>;
}
