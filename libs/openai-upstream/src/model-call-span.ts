import { context, propagation, SpanKind, trace, type Attributes, type Span } from '@opentelemetry/api';
import { Role } from '@sophia/contracts/common';
import type { GenerateRequest } from '@sophia/contracts/inference';
import { currentTelemetry, failSpan, type ServiceTelemetry } from '@sophia/platform';
import type { UpstreamEvent } from './chat-completion-types.ts';
import { upstreamFailureKind } from './upstream-error.ts';

/** What the model-call span is told about one upstream call. */
export interface ModelCallSpanOptions {
  readonly request: GenerateRequest;
  /** The endpoint's own model id ('' lets the endpoint choose). */
  readonly upstreamModel: string;
  /** `gen_ai.provider.name`: the serverless provider, or the GPU pool's engine. */
  readonly provider: string;
  /** API root, for `server.address` / `server.port`. */
  readonly baseUrl: string;
}

/** The span of one model call and what the call reports to it. */
export interface ModelCallSpan {
  /** `traceparent` (and baggage) of this span, for the upstream HTTP request's headers. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Notes one upstream event (the first token, the final usage) as the caller relays it — a plain
   * call, not a stream wrapper: this runs per token, and every async-generator hop costs promises.
   */
  see(event: UpstreamEvent): void;
  /** Ends the span (and records the GenAI metrics): ok, failed with `err`, or abandoned (cancelled). Idempotent. */
  end(outcome: { readonly kind: 'ok' } | { readonly kind: 'failed'; readonly err: unknown } | { readonly kind: 'cancelled' }): void;
}

function roleName(role: Role): string {
  return role === Role.SYSTEM ? 'system' : role === Role.ASSISTANT ? 'assistant' : 'user';
}

function serverAttributes(baseUrl: string): Attributes {
  try {
    const url = new URL(baseUrl);
    return { 'server.address': url.hostname, 'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
  } catch {
    return {};
  }
}

/**
 * A CLIENT span per upstream chat call following the OpenTelemetry GenAI semantic conventions
 * (`chat {model}`; gen_ai.operation.name / provider.name / request.model / response.model /
 * usage.input_tokens / usage.output_tokens / response.finish_reasons), with the time to first
 * token as an event and `sophia.ttft_ms`, plus the GenAI metrics of the serving service. Prompt and
 * completion text go on the span only when the operator turned content capture on.
 */
export function startModelCallSpan(options: ModelCallSpanOptions): ModelCallSpan {
  const active = context.active();
  const telemetry: ServiceTelemetry = currentTelemetry(active);
  const { request } = options;
  const requestModel = options.upstreamModel || request.model;
  const startedAt = performance.now();
  const attributes: Attributes | undefined = telemetry.recording
    ? {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': options.provider,
        'gen_ai.request.model': requestModel,
        ...(request.params?.maxTokens !== undefined ? { 'gen_ai.request.max_tokens': request.params.maxTokens } : {}),
        ...(request.params?.temperature !== undefined ? { 'gen_ai.request.temperature': request.params.temperature } : {}),
        ...(request.params?.topP !== undefined ? { 'gen_ai.request.top_p': request.params.topP } : {}),
        ...(request.params?.seed !== undefined ? { 'gen_ai.request.seed': Number(request.params.seed) } : {}),
        'sophia.model': request.model,
        ...(request.tenant ? { 'sophia.tenant': request.tenant } : {}),
        ...serverAttributes(options.baseUrl),
        ...(telemetry.captureContent
          ? { 'gen_ai.input.messages': JSON.stringify(request.messages.map((m) => ({ role: roleName(m.role), parts: [{ type: 'text', content: m.content }] }))) }
          : {}),
      }
    : undefined;
  const span: Span = telemetry.tracer.startSpan(`chat ${requestModel}`, { kind: SpanKind.CLIENT, attributes }, active);
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(active, span), headers);

  let ttftSeconds: number | undefined;
  let done: Extract<UpstreamEvent, { type: 'done' }> | undefined;
  const output: string[] = [];
  let ended = false;
  return {
    headers,
    see(event) {
      if (event.type === 'delta' || event.type === 'choice') {
        // A choice event (tool-call piece, another choice, logprobs) is output too: it ends the wait for the first token.
        if (ttftSeconds === undefined) {
          ttftSeconds = (performance.now() - startedAt) / 1000;
          if (span.isRecording()) {
            span.setAttribute('sophia.ttft_ms', Math.round(ttftSeconds * 1000));
            span.addEvent('gen_ai.first_token');
          }
        }
        if (telemetry.captureContent && span.isRecording()) output.push(event.type === 'delta' ? event.text : (event.choice.content ?? ''));
      } else {
        done = event;
      }
    },
    end(outcome) {
      if (ended) return;
      ended = true;
      const responseModel = done?.upstreamModel ?? '';
      if (span.isRecording()) {
        if (done) {
          span.setAttributes({
            'gen_ai.response.model': done.upstreamModel,
            'gen_ai.usage.input_tokens': done.usage.promptTokens,
            'gen_ai.usage.output_tokens': done.usage.completionTokens,
            'gen_ai.response.finish_reasons': [done.finishReason],
            'sophia.usage_estimated': done.usageEstimated,
          });
          if (telemetry.captureContent) {
            span.setAttribute('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: output.join('') }], finish_reason: done.finishReason }]));
          }
        }
        if (outcome.kind === 'failed') {
          failSpan(span, outcome.err);
          span.setAttribute('error.type', errorType(outcome.err));
        }
        if (outcome.kind === 'cancelled') span.setAttribute('sophia.cancelled', true);
      }
      span.end();
      telemetry.genAi?.record({
        operation: 'chat',
        provider: options.provider,
        requestModel,
        responseModel,
        durationSeconds: (performance.now() - startedAt) / 1000,
        ttftSeconds,
        inputTokens: done?.usage.promptTokens,
        outputTokens: done?.usage.completionTokens,
        errorType: outcome.kind === 'failed' ? errorType(outcome.err) : outcome.kind === 'cancelled' ? 'cancelled' : undefined,
      });
    },
  };
}

/** `error.type`: the upstream failure kind (ttft_timeout, http_5xx, …) when known, else the error's class. */
function errorType(err: unknown): string {
  return upstreamFailureKind(err) ?? (err instanceof Error ? err.name : 'error');
}
