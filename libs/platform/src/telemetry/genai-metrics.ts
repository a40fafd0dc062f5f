import { Histogram, type Registry } from 'prom-client';

/** What one model call reports to the GenAI metrics. */
export interface ModelCallMetrics {
  readonly operation: string;
  readonly provider: string;
  readonly requestModel: string;
  /** Empty when the call failed before the model answered. */
  readonly responseModel: string;
  readonly durationSeconds: number;
  /** Undefined when no token arrived. */
  readonly ttftSeconds?: number | undefined;
  readonly inputTokens?: number | undefined;
  readonly outputTokens?: number | undefined;
  /** The failure class (`error.type`), undefined on success. */
  readonly errorType?: string | undefined;
}

/**
 * The OpenTelemetry GenAI client/server metrics (`gen_ai.client.token.usage`,
 * `gen_ai.client.operation.duration`, `gen_ai.server.time_to_first_token`) as Prometheus
 * histograms beside the service's other metrics, with the spec's bucket boundaries and its
 * attributes as labels (dots become underscores, as the OTel→Prometheus mapping writes them).
 */
export interface GenAiMetrics {
  record(call: ModelCallMetrics): void;
}

const LABELS = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_response_model'] as const;
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];

function histogram<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Histogram<L>;
  return new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}

/** The GenAI histograms on `registry` (created once per registry, shared by every caller). */
export function createGenAiMetrics(registry: Registry): GenAiMetrics {
  const tokens = histogram(registry, 'gen_ai_client_token_usage', 'Tokens used per model call (gen_ai.client.token.usage), by gen_ai_token_type input/output.', [...LABELS, 'gen_ai_token_type'], TOKEN_BUCKETS);
  const duration = histogram(registry, 'gen_ai_client_operation_duration_seconds', 'Duration of a model call, request to last token (gen_ai.client.operation.duration).', [...LABELS, 'error_type'], DURATION_BUCKETS);
  const ttft = histogram(registry, 'gen_ai_server_time_to_first_token_seconds', 'Time from request to the first output token (gen_ai.server.time_to_first_token).', LABELS, TTFT_BUCKETS);
  return {
    record(call) {
      const labels = {
        gen_ai_operation_name: call.operation,
        gen_ai_provider_name: call.provider,
        gen_ai_request_model: call.requestModel,
        gen_ai_response_model: call.responseModel,
      };
      duration.observe({ ...labels, error_type: call.errorType ?? '' }, call.durationSeconds);
      if (call.ttftSeconds !== undefined) ttft.observe(labels, call.ttftSeconds);
      if (call.inputTokens !== undefined) tokens.observe({ ...labels, gen_ai_token_type: 'input' }, call.inputTokens);
      if (call.outputTokens !== undefined) tokens.observe({ ...labels, gen_ai_token_type: 'output' }, call.outputTokens);
    },
  };
}
