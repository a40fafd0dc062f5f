import { pino, type Logger, type DestinationStream } from 'pino';
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
 * JSON logger whose every line carries the current request id and trace id (from the call
 * context), so one request can be followed across processes.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const ctx = currentCallContext();
        return ctx ? { requestId: ctx.requestId, traceId: ctx.trace.traceId, spanId: ctx.trace.spanId } : {};
      },
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
