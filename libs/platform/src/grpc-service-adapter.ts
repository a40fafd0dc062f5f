import {
  Metadata,
  status,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type sendUnaryData,
  type MethodDefinition,
} from '@grpc/grpc-js';
import { create, fromBinary, toBinary, type DescMessage, type DescMethod, type DescService, type MessageInitShape } from '@bufbuild/protobuf';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import type { Logger } from 'pino';
import { createCallContext, deadlineFrom, requestIdFrom, runWithCallContext, type CallContext } from './call-context.ts';
import { toServiceError } from './grpc-status.ts';
import type { MeshCallGuard } from './mesh-auth/mesh-call-guard.ts';
import { createMethodRecorder } from './method-recorder.ts';
import { createServedCallContext } from './served-call-context.ts';
import type { ServiceMetrics } from './service-metrics.ts';
import { currentTelemetry } from './telemetry/active-telemetry.ts';
import { endRpcSpan, startRpcServerSpan } from './telemetry/rpc-spans.ts';
import type { ServiceTelemetry } from './telemetry/service-telemetry-types.ts';

/** What the adapter needs besides the service itself. */
export interface GrpcServiceAdapterOptions {
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics | undefined;
  /** Aborted when the server shuts down, so long streams end instead of holding the drain. */
  readonly shutdownSignal: AbortSignal;
  /** The serving service's tracer: each call gets a server span. @default ids only, nothing recorded */
  readonly telemetry?: ServiceTelemetry | undefined;
  /** Refuses callers that are not the mesh (SOPHIA_MESH_TOKEN); unset: every caller is served. */
  readonly guard?: MeshCallGuard | undefined;
}

/** A grpc-js service definition plus handlers, ready for `server.addService`. */
export interface GrpcServiceBinding {
  readonly definition: ServiceDefinition;
  readonly handlers: UntypedServiceImplementation;
}

function metadataToHeaders(md: Metadata): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(md.getMap())) {
    if (typeof value === 'string') headers.set(key, value);
  }
  return headers;
}

function headersToMetadata(headers: Headers): Metadata {
  const md = new Metadata();
  headers.forEach((value, key) => md.set(key, value));
  return md;
}

/** A Buffer over the encoder's fresh bytes, without copying them. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function timeoutFromDeadline(deadline: ReturnType<ServerUnaryCall<unknown, unknown>['getDeadline']>): number | undefined {
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(ms)) return undefined;
  return Math.max(0, ms - Date.now());
}

interface CallSetup {
  readonly handlerContext: HandlerContext;
  readonly callContext: CallContext;
  /**
   * Marks the response as complete with its status: a later 'cancelled' is grpc-js closing the
   * stream, not the client; the deadline timer and the shutdown listener are released; the call's
   * server span ends.
   */
  readonly markEnded: (code: number, err?: unknown) => void;
}

function setupCall(
  service: DescService,
  method: DescMethod,
  call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>,
  shutdownSignal: AbortSignal,
  telemetry: ServiceTelemetry,
): CallSetup {
  const requestHeader = metadataToHeaders(call.metadata);
  const timeoutMs = timeoutFromDeadline(call.getDeadline());
  const path = `/${service.typeName}/${method.name}`;
  const served = createServedCallContext({ service, method, path, timeoutMs, shutdownSignal, requestHeader });
  // grpc-js emits 'cancelled' after every call, completed ones included; only a call still running was
  // cancelled by its client (aborting a finished handler's signal would also wake every listener on it).
  let ended = false;
  const { span, context: otel } = startRpcServerSpan(telemetry, requestHeader, service, method, 'grpc');
  // The span ends when the response ends or, for a cancelled call, at once (a handler may take a
  // while to notice its signal; the trace shows when the client went away).
  let spanOpen = true;
  const endSpan = (code: number, err?: unknown): void => {
    if (!spanOpen) return;
    spanOpen = false;
    endRpcSpan(span, code, err);
  };
  call.on('cancelled', () => {
    if (ended) return;
    served.abort(new Error('client cancelled the call'));
    endSpan(status.CANCELLED);
  });
  const callContext = createCallContext({ requestId: requestIdFrom(requestHeader), deadline: deadlineFrom(timeoutMs), method: path }, otel);
  return {
    handlerContext: served.context,
    callContext,
    markEnded: (code, err) => {
      ended = true;
      served.release();
      endSpan(code, err);
    },
  };
}

/**
 * Turns a protobuf-es service descriptor and a Connect-style implementation (`ServiceImpl`) into
 * a grpc-js definition. Handlers are written once against `HandlerContext` (signal, deadline,
 * headers) and can be served by grpc-js here or by connect-node / an in-memory router in tests.
 * Unary and server-streaming methods are supported; the contracts use no client streams.
 */
export function createGrpcServiceBinding<S extends DescService>(
  service: S,
  impl: Partial<ServiceImpl<S>>,
  options: GrpcServiceAdapterOptions,
): GrpcServiceBinding {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  const handlers: UntypedServiceImplementation = {};
  const telemetry = options.telemetry ?? currentTelemetry();
  const implByName = impl as Record<string, ((req: unknown, ctx: HandlerContext) => unknown) | undefined>;
  for (const method of service.methods) {
    const fn = implByName[method.localName];
    const input: DescMessage = method.input;
    const output: DescMessage = method.output;
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: false,
      responseStream: method.methodKind === 'server_streaming',
      requestSerialize: (m: unknown) => asBuffer(toBinary(input, create(input, m as MessageInitShape<DescMessage>))),
      requestDeserialize: (b: Buffer) => fromBinary(input, b),
      responseSerialize: (m: unknown) => asBuffer(toBinary(output, create(output, m as MessageInitShape<DescMessage>))),
      responseDeserialize: (b: Buffer) => fromBinary(output, b),
      originalName: method.localName,
    };
    const recorder = createMethodRecorder(service, method, options);
    const path = `/${service.typeName}/${method.name}`;
    /** The guard's refusal for this call, as grpc-js sends it. */
    const refusal = (call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>): ReturnType<typeof toServiceError> | undefined => {
      const denied = options.guard?.(path, (name) => {
        const value = call.metadata.get(name)[0];
        return typeof value === 'string' ? value : undefined;
      });
      return denied === undefined ? undefined : toServiceError(denied);
    };
    if (method.methodKind === 'unary') {
      handlers[method.localName] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const startedAt = recorder.start();
        if (!fn) {
          recorder.finish(startedAt, status.UNIMPLEMENTED);
          callback({ code: status.UNIMPLEMENTED, details: `${service.typeName}/${method.name} is not implemented` });
          return;
        }
        const refused = refusal(call);
        if (refused) {
          recorder.finish(startedAt, refused.code);
          callback(refused);
          return;
        }
        const { handlerContext, callContext, markEnded } = setupCall(service, method, call, options.shutdownSignal, telemetry);
        runWithCallContext(callContext, () => {
          Promise.resolve()
            .then(() => fn(call.request, handlerContext))
            .then(
              (res) => {
                if (handlerContext.responseHeader.keys().next().done !== true) {
                  call.sendMetadata(headersToMetadata(handlerContext.responseHeader));
                }
                recorder.finish(startedAt, status.OK);
                markEnded(status.OK);
                callback(null, res, headersToMetadata(handlerContext.responseTrailer));
              },
              (err: unknown) => {
                const se = toServiceError(err);
                recorder.finish(startedAt, se.code, err);
                markEnded(se.code, err);
                callback(se);
              },
            );
        });
      };
    } else if (method.methodKind === 'server_streaming') {
      handlers[method.localName] = (call: ServerWritableStream<unknown, unknown>) => {
        const startedAt = recorder.start();
        if (!fn) {
          recorder.finish(startedAt, status.UNIMPLEMENTED);
          call.emit('error', { code: status.UNIMPLEMENTED, details: `${service.typeName}/${method.name} is not implemented` });
          return;
        }
        const refused = refusal(call);
        if (refused) {
          recorder.finish(startedAt, refused.code);
          call.emit('error', refused);
          return;
        }
        const { handlerContext, callContext, markEnded } = setupCall(service, method, call, options.shutdownSignal, telemetry);
        runWithCallContext(callContext, () => {
          void pumpStream(call, fn as (req: unknown, ctx: HandlerContext) => AsyncIterable<unknown>, handlerContext, {
            onMessage: () => recorder.message(),
            onEnd: (code, err) => {
              markEnded(code, err);
              recorder.finish(startedAt, code, err);
            },
          });
        });
      };
    }
  }
  return { definition: definition as ServiceDefinition, handlers };
}

async function pumpStream(
  call: ServerWritableStream<unknown, unknown>,
  fn: (req: unknown, ctx: HandlerContext) => AsyncIterable<unknown>,
  ctx: HandlerContext,
  hooks: { onMessage(): void; onEnd(code: number, err?: unknown): void },
): Promise<void> {
  let headerSent = false;
  try {
    for await (const message of fn(call.request, ctx)) {
      if (call.cancelled || ctx.signal.aborted) break;
      if (!headerSent) {
        headerSent = true;
        call.sendMetadata(headersToMetadata(ctx.responseHeader));
      }
      hooks.onMessage();
      if (!call.write(message)) {
        // Backpressure: wait for the transport to drain (or the call to go away).
        await new Promise<void>((resolve) => {
          const done = (): void => {
            call.off('drain', done);
            call.off('cancelled', done);
            resolve();
          };
          call.once('drain', done);
          call.once('cancelled', done);
        });
      }
    }
    if (call.cancelled) {
      hooks.onEnd(status.CANCELLED);
      return;
    }
    if (ctx.signal.aborted) {
      // Shutdown or deadline aborted the handler: report it rather than a clean end.
      const se = toServiceError(ctx.signal.reason);
      hooks.onEnd(se.code === status.INTERNAL ? status.UNAVAILABLE : se.code, ctx.signal.reason);
      call.emit('error', { code: se.code === status.INTERNAL ? status.UNAVAILABLE : se.code, details: se.code === status.INTERNAL ? 'server is shutting down' : se.details });
      return;
    }
    hooks.onEnd(status.OK);
    call.end(headersToMetadata(ctx.responseTrailer));
  } catch (err) {
    const se = toServiceError(err);
    hooks.onEnd(call.cancelled ? status.CANCELLED : se.code, err);
    if (!call.cancelled) call.emit('error', se);
  }
}
