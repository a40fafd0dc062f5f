import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { currentCallContext, remainingMs, REQUEST_ID_HEADER, TRACEPARENT_HEADER } from './call-context.ts';
import { childTraceContext, formatTraceparent } from './trace-context.ts';

function parseGrpcTimeoutMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2];
  const factor = unit === 'H' ? 3_600_000 : unit === 'M' ? 60_000 : unit === 'S' ? 1000 : unit === 'm' ? 1 : unit === 'u' ? 1e-3 : 1e-6;
  return n * factor;
}

/**
 * Outbound half of propagation: copies the current call's request id, a child `traceparent` and
 * the remaining deadline onto every outgoing call, so a deadline set at the gateway bounds every
 * hop below it. A call made after the deadline passed fails at once with DEADLINE_EXCEEDED.
 */
export function createContextInterceptor(): Interceptor {
  return (next) => async (req) => {
    const ctx = currentCallContext();
    if (!ctx) return next(req);
    if (!req.header.has(REQUEST_ID_HEADER)) req.header.set(REQUEST_ID_HEADER, ctx.requestId);
    req.header.set(TRACEPARENT_HEADER, formatTraceparent(childTraceContext(ctx.trace)));
    const left = remainingMs(ctx);
    if (left === undefined) return next(req);
    if (left <= 0) {
      throw new ConnectError(`deadline exceeded before calling ${req.service.typeName}/${req.method.name}`, Code.DeadlineExceeded);
    }
    const own = parseGrpcTimeoutMs(req.header.get('grpc-timeout'));
    if (own === undefined || own > left) req.header.set('grpc-timeout', `${Math.max(1, Math.floor(left))}m`);
    const signal = AbortSignal.any([req.signal, AbortSignal.timeout(Math.max(1, Math.floor(left)))]);
    return next({ ...req, signal });
  };
}
