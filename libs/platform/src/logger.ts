import { pino, type Logger, type DestinationStream } from 'pino';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { currentCallContext } from './call-context.ts';

export type { Logger } from 'pino';

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Service name, on every line. */
  readonly service: string;
  /** pino level. @default "info" */
  readonly level?: string;
  /** Where lines go. @default stderr, so stdout stays free for machine-readable output */
  readonly destination?: DestinationStream;
}

/**
 * JSON logger whose every line carries the current request id (from the call context) and the
 * trace and span id of the active OTel span, so one request's lines join up across processes and
 * lead to its trace in Jaeger.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const ctx = currentCallContext();
        const span = trace.getSpanContext(context.active());
        const ids = span && isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {};
        return ctx ? { requestId: ctx.requestId, ...ids } : ids;
      },
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
