/**
 * The logging both inference backends need: pino's `warn`/`info` shape, so a pino logger is
 * passed as is and tests can pass a recorder. Upstream causes (which may quote bodies) go here,
 * never to clients.
 */
export interface UpstreamLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** A logger that drops everything, the default when none is injected. */
export const silentUpstreamLogger: UpstreamLogger = { info: () => undefined, warn: () => undefined };
