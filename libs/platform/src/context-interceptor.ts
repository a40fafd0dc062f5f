import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { propagation } from '@opentelemetry/api';
import { currentCallContext, remainingMs, REQUEST_ID_HEADER } from './call-context.ts';
import { deadlineSignal } from './deadline-signal.ts';
import { headerSetter } from './telemetry/header-carrier.ts';
import { endRpcSpan, startRpcClientSpan } from './telemetry/rpc-spans.ts';

function parseGrpcTimeoutMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2];
  const factor = unit === 'H' ? 3_600_000 : unit === 'M' ? 60_000 : unit === 'S' ? 1000 : unit === 'm' ? 1 : unit === 'u' ? 1e-3 : 1e-6;
  return n * factor;
}

type Next = Parameters<Interceptor>[0];
type Request = Parameters<Next>[0];
type Response = Awaited<ReturnType<Next>>;

/**
 * Calls `done` once when the call ends: at once for unary, when the response stream ends (or is
 * abandoned) for streams — so the client span and the deadline timer last exactly as long as the call.
 */
async function whenCallEnds(call: () => Promise<Response>, done: (code: number, failure?: unknown) => void): Promise<Response> {
  let res: Response;
  try {
    res = await call();
  } catch (err) {
    done(ConnectError.from(err).code, err);
    throw err;
  }
  if (!res.stream) {
    done(0);
    return res;
  }
  const messages = res.message;
  return {
    ...res,
    message: (async function* () {
      let code: number = Code.Canceled;
      let failure: unknown;
      try {
        yield* messages;
        code = 0;
      } catch (err) {
        failure = err;
        code = ConnectError.from(err).code;
        throw err;
      } finally {
        done(code, failure);
      }
    })(),
  };
}

/**
 * Outbound half of propagation: a client span per call (child of the active span) whose trace
 * context the OTel propagators write into the request, the current call's request id, and the
 * remaining deadline, so a deadline set at the gateway bounds every hop below it. A call made
 * after the deadline passed fails at once with DEADLINE_EXCEEDED.
 */
export function createContextInterceptor(): Interceptor {
  return (next) => async (req) => {
    const ctx = currentCallContext();
    if (!ctx) return next(req);
    if (!req.header.has(REQUEST_ID_HEADER)) req.header.set(REQUEST_ID_HEADER, ctx.requestId);
    const left = remainingMs(ctx);
    if (left !== undefined && left <= 0) {
      throw new ConnectError(`deadline exceeded before calling ${req.service.typeName}/${req.method.name}`, Code.DeadlineExceeded);
    }
    const client = startRpcClientSpan(req.service, req.method, 'grpc', new URL(req.url).host);
    if (client) propagation.inject(client.context, req.header, headerSetter);
    const endSpan = (code: number, failure?: unknown): void => {
      if (client) endRpcSpan(client.span, code, failure, 'client');
    };
    if (left === undefined) return client ? whenCallEnds(() => next(req), endSpan) : next(req);
    const own = parseGrpcTimeoutMs(req.header.get('grpc-timeout'));
    if (own === undefined || own > left) req.header.set('grpc-timeout', `${Math.max(1, Math.floor(left))}m`);
    // Not AbortSignal.timeout: that timer (and the call it reaches) lives for the whole deadline.
    const deadline = deadlineSignal(req.signal, Math.max(1, Math.floor(left)));
    const bounded: Request = { ...req, signal: deadline.signal };
    return whenCallEnds(() => next(bounded), (code, failure) => {
      deadline.dispose();
      endSpan(code, failure);
    });
  };
}
