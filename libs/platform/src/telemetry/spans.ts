import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { currentTelemetry } from './active-telemetry.ts';

/** Options for {@link startSpan}. */
export interface StartSpanOptions {
  readonly attributes?: Attributes | undefined;
  /** @default internal */
  readonly kind?: 'internal' | 'client';
}

/**
 * A child of the active span on the serving service's tracer. For work whose end is not one
 * function's return (a stream, a leg of a generation): end it yourself, on every path.
 */
export function startSpan(name: string, options: StartSpanOptions = {}): Span {
  const active = context.active();
  const telemetry = currentTelemetry(active);
  return telemetry.tracer.startSpan(
    name,
    { kind: options.kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes: telemetry.recording ? options.attributes : undefined },
    active,
  );
}

/** Marks `span` failed with the error's class and message (never a payload). */
export function failSpan(span: Span, err: unknown): void {
  if (!span.isRecording()) return;
  const e = err instanceof Error ? err : new Error(String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message.slice(0, 300) });
  span.setAttribute('error.type', (e as { code?: unknown }).code !== undefined ? `${e.name}:${String((e as { code?: unknown }).code)}` : e.name);
}

/**
 * Runs `fn` inside a new child span (active for everything `fn` calls, so RPCs it makes are its
 * children), marks the span failed if `fn` throws, and ends it when `fn` settles.
 */
export async function inSpan<T>(name: string, attributes: Attributes | undefined, fn: (span: Span) => Promise<T> | T): Promise<T> {
  const span = startSpan(name, { attributes });
  try {
    return await context.with(trace.setSpan(context.active(), span), () => fn(span));
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** {@link inSpan} for synchronous work (a validation, a classification): no promise, same span. */
export function inSpanSync<T>(name: string, attributes: Attributes | undefined, fn: (span: Span) => T): T {
  const span = startSpan(name, { attributes });
  try {
    return context.with(trace.setSpan(context.active(), span), () => fn(span));
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Runs `fn` with `span` active (its calls become the span's children), without ending it. */
export function withActiveSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** Adds an event to the active span (a fallback, a rescue): cheap no-op when nothing records. */
export function addSpanEvent(name: string, attributes?: Attributes): void {
  const span = trace.getSpan(context.active());
  if (span?.isRecording()) span.addEvent(name, attributes);
}

/** Sets attributes on the active span (the served call's, unless a child span is active). */
export function setSpanAttributes(attributes: Attributes): void {
  const span = trace.getSpan(context.active());
  if (span?.isRecording()) span.setAttributes(attributes);
}

/** Whether the active span records, for callers that would compute attributes only to drop them. */
export function spanIsRecording(): boolean {
  return trace.getSpan(context.active())?.isRecording() ?? false;
}
