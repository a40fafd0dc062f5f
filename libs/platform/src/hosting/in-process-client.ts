import { create, type DescMessage, type DescMethod, type DescService, type MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type CallOptions, type Client, type HandlerContext } from '@connectrpc/connect';
import type { Logger } from 'pino';
import { context, propagation } from '@opentelemetry/api';
import { createCallContext, currentCallContext, deadlineFrom, remainingMs, requestIdFrom, runWithCallContext, REQUEST_ID_HEADER, type CallContext } from '../call-context.ts';
import { toServiceError } from '../grpc-status.ts';
import { createMethodRecorder, type MethodRecorder } from '../method-recorder.ts';
import { createServedCallContext, type ServedCallContext } from '../served-call-context.ts';
import type { ServiceMetrics } from '../service-metrics.ts';
import { currentTelemetry } from '../telemetry/active-telemetry.ts';
import { headerSetter } from '../telemetry/header-carrier.ts';
import { endRpcSpan, inProcessParent, startRpcClientSpan, startRpcServerSpan } from '../telemetry/rpc-spans.ts';
import type { ServiceTelemetry } from '../telemetry/service-telemetry-types.ts';

/** The callee side of an in-process call: its implementation and what its own server would use. */
export interface InProcessTarget {
  /** The implementation registered for the service (the same object its gRPC port serves). */
  readonly impl: object;
  /** The callee's logger and metrics: a call counts in its `grpc_server_*` as if it came over gRPC. */
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics | undefined;
  /** Aborted when the callee's host stops, like its gRPC server's shutdown signal. */
  readonly shutdownSignal: AbortSignal;
  /** The callee's tracer: its server span is its service's, as over gRPC. @default ids only */
  readonly telemetry?: ServiceTelemetry | undefined;
}

type Handler = (req: unknown, ctx: HandlerContext) => unknown;

/** What one call carries from caller to callee: the served context and the callee's call context. */
interface InProcessCall {
  readonly served: ServedCallContext;
  readonly callContext: CallContext;
  /** Ends the caller's client span and the callee's server span with the call's status. Idempotent. */
  readonly endSpans: (code: number, err?: unknown) => void;
}

/**
 * Starts one call the way the wire would: the caller's request id (or its own header), a child
 * trace context and the earlier of its own timeout and the served call's remaining deadline become
 * the callee's headers and HandlerContext; the caller's abort signal cancels the callee's. With the
 * default propagators the child span context is handed over directly (what `traceparent` would
 * carry, without formatting and parsing it); otherwise it is written into the callee's headers.
 */
function beginCall(service: DescService, method: DescMethod, path: string, options: CallOptions, target: InProcessTarget): InProcessCall {
  const outer = currentCallContext();
  const left = remainingMs(outer);
  if (left !== undefined && left <= 0) throw new ConnectError(`deadline exceeded before calling ${path}`, Code.DeadlineExceeded);
  const own = options.timeoutMs !== undefined && options.timeoutMs > 0 ? options.timeoutMs : undefined;
  const timeoutMs = own === undefined ? left : left === undefined ? own : Math.min(own, left);
  const requestHeader = new Headers(options.headers);
  if (outer && !requestHeader.has(REQUEST_ID_HEADER)) requestHeader.set(REQUEST_ID_HEADER, outer.requestId);
  // The same two spans as the wire: the callee's server span continues the caller's client span.
  // A caller that records nothing (no exporter) has no use for a client span nobody sees: its
  // callee continues the caller's own span directly, and the trace ids in logs stay the same.
  const active = context.active();
  const direct = currentTelemetry(active).recording ? undefined : inProcessParent(active);
  const client = direct ? undefined : startRpcClientSpan(service, method, 'in-process');
  const handedOver = direct ?? (client ? inProcessParent(client.context) : undefined);
  if (client && !handedOver) propagation.inject(client.context, requestHeader, headerSetter);
  const server = startRpcServerSpan(target.telemetry ?? currentTelemetry(), requestHeader, service, method, 'in-process', handedOver);
  const served = createServedCallContext({ service, method, path, timeoutMs, shutdownSignal: target.shutdownSignal, requestHeader });
  const callContext = createCallContext({ requestId: requestIdFrom(requestHeader), deadline: deadlineFrom(timeoutMs), method: path }, server.context);
  let open = true;
  const endSpans = (code: number, err?: unknown): void => {
    if (!open) return;
    open = false;
    endRpcSpan(server.span, code, err);
    endRpcSpan(client?.span, code, err, 'client');
  };
  return { served, callContext, endSpans };
}

/** The error a gRPC client would have received for `err` thrown by the callee. */
function asClientError(err: unknown): ConnectError {
  const se = toServiceError(err);
  const metadata = new Headers();
  for (const [key, value] of Object.entries(se.metadata?.getMap() ?? {})) if (typeof value === 'string') metadata.set(key, value);
  return new ConnectError(se.details, se.code as number as Code, metadata);
}

/** Rejects once `signal` aborts, with the error a client sees for that reason. */
function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let dispose = (): void => undefined;
  const promise = new Promise<never>((_, reject) => {
    const onAbort = (): void => reject(asClientError(signal.reason));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    dispose = () => signal.removeEventListener('abort', onAbort);
  });
  promise.catch(() => undefined);
  return { promise, dispose };
}

/** Ties the caller's abort signal to the callee's: a cancelled caller cancels the handler. */
function linkCancel(signal: AbortSignal | undefined, served: ServedCallContext): () => void {
  if (!signal) return () => undefined;
  const cancel = (): void => served.abort(new ConnectError('client cancelled the call', Code.Canceled));
  if (signal.aborted) {
    cancel();
    return () => undefined;
  }
  signal.addEventListener('abort', cancel, { once: true });
  return () => signal.removeEventListener('abort', cancel);
}

function unaryMethod(service: DescService, method: DescMethod, path: string, fn: Handler, target: InProcessTarget, recorder: MethodRecorder) {
  const output: DescMessage = method.output;
  return async (request: MessageInitShape<DescMessage>, options: CallOptions = {}): Promise<unknown> => {
    const { served, callContext, endSpans } = beginCall(service, method, path, options, target);
    const startedAt = recorder.start();
    const unlink = linkCancel(options.signal, served);
    const aborted = whenAborted(served.context.signal);
    try {
      const req = create(method.input, request);
      const res = await Promise.race([runWithCallContext(callContext, () => Promise.resolve().then(() => fn(req, served.context))), aborted.promise]);
      options.onHeader?.(served.context.responseHeader);
      options.onTrailer?.(served.context.responseTrailer);
      recorder.finish(startedAt, 0);
      endSpans(0);
      return create(output, res as MessageInitShape<DescMessage>);
    } catch (err) {
      const ce = asClientError(err);
      recorder.finish(startedAt, ce.code, err);
      endSpans(ce.code, ce);
      throw ce;
    } finally {
      aborted.dispose();
      unlink();
      served.release();
    }
  };
}

function streamingMethod(service: DescService, method: DescMethod, path: string, fn: Handler, target: InProcessTarget, recorder: MethodRecorder) {
  const output: DescMessage = method.output;
  return (request: MessageInitShape<DescMessage>, options: CallOptions = {}): AsyncIterable<unknown> => {
    // Context is taken when the call is made, as the gRPC clients do, not when iteration starts.
    let begun: InProcessCall | undefined;
    let early: unknown;
    try {
      begun = beginCall(service, method, path, options, target);
    } catch (err) {
      early = err;
    }
    return {
      async *[Symbol.asyncIterator]() {
        if (!begun) throw early;
        const { served, callContext, endSpans } = begun;
        const startedAt = recorder.start();
        const unlink = linkCancel(options.signal, served);
        const aborted = whenAborted(served.context.signal);
        const req = create(method.input, request);
        let iterator: AsyncIterator<unknown> | undefined;
        let finished = false;
        let headerSent = false;
        try {
          iterator = runWithCallContext(callContext, () => (fn(req, served.context) as AsyncIterable<unknown>)[Symbol.asyncIterator]());
          for (;;) {
            const step = await Promise.race([runWithCallContext(callContext, () => iterator!.next()), aborted.promise]);
            if (step.done) break;
            if (!headerSent) {
              headerSent = true;
              options.onHeader?.(served.context.responseHeader);
            }
            recorder.message();
            yield create(output, step.value as MessageInitShape<DescMessage>);
          }
          finished = true;
          options.onTrailer?.(served.context.responseTrailer);
          recorder.finish(startedAt, 0);
          endSpans(0);
        } catch (err) {
          finished = true;
          const ce = asClientError(err);
          recorder.finish(startedAt, ce.code, err);
          endSpans(ce.code, ce);
          // The handler may still be suspended (deadline or cancel raced it): let it unwind.
          if (served.context.signal.aborted) void runWithCallContext(callContext, () => iterator?.return?.())?.catch(() => undefined);
          throw ce;
        } finally {
          if (!finished) {
            // The consumer stopped early: cancel the handler as a gRPC client's cancel would.
            served.abort(new ConnectError('client cancelled the call', Code.Canceled));
            recorder.finish(startedAt, Code.Canceled);
            endSpans(Code.Canceled);
            void runWithCallContext(callContext, () => iterator?.return?.())?.catch(() => undefined);
          }
          aborted.dispose();
          unlink();
          served.release();
        }
      },
    };
  };
}

/**
 * A `Client<S>` that calls a service hosted in this process directly: no sockets, no encoding, the
 * same contract. Requests and responses are the protobuf-es messages themselves (`create` fills
 * defaults; neither side may mutate a message after handing it over). Everything else matches the
 * gRPC path: deadlines (the caller's own and the served call's remaining one), request id and a
 * child traceparent in the callee's headers and call context, cancellation both ways, the callee's
 * `grpc_server_*` metrics and failure logs, and errors as a gRPC client would see them (a non-
 * ConnectError becomes INTERNAL "internal error"; metadata such as `retry-after-ms` is kept).
 * `resolve` is asked on every call, so a client may be made before its target has started.
 */
export function createInProcessClient<S extends DescService>(service: S, resolve: () => InProcessTarget): Client<S> {
  const client: Record<string, unknown> = {};
  for (const method of service.methods) {
    const path = `/${service.typeName}/${method.name}`;
    let bound: { target: InProcessTarget; call: unknown } | undefined;
    const callFor = (): unknown => {
      const target = resolve();
      if (bound?.target === target) return bound.call;
      const fn = (target.impl as Record<string, Handler | undefined>)[method.localName];
      const recorder = createMethodRecorder(service, method, target);
      let call: unknown;
      if (!fn) {
        call = () => Promise.reject(new ConnectError(`${path} is not implemented`, Code.Unimplemented));
      } else if (method.methodKind === 'unary') call = unaryMethod(service, method, path, fn, target, recorder);
      else if (method.methodKind === 'server_streaming') call = streamingMethod(service, method, path, fn, target, recorder);
      else call = () => Promise.reject(new ConnectError(`${path}: ${method.methodKind} calls are not supported in process`, Code.Unimplemented));
      bound = { target, call };
      return call;
    };
    client[method.localName] = (request: unknown, options?: CallOptions) => (callFor() as (r: unknown, o?: CallOptions) => unknown)(request, options);
  }
  return client as Client<S>;
}
