// grpc.health.v1 and server reflection on a grpc-js server, served by the same protobuf-es
// implementations as the connect ports (health-service.ts, reflection-service.ts). It replaces the
// grpc-health-check and @grpc/reflection packages, which load protobufjs and parse .proto files at
// start-up: about 11 MiB of RSS in every process, for three small services we already have.
import { create, fromBinary, toBinary, type DescMethod, type DescService, type MessageInitShape } from '@bufbuild/protobuf';
import type { Readable } from 'node:stream';
import type { HandlerContext } from '@connectrpc/connect';
import { status as GrpcStatus, type Server, type ServiceDefinition, type UntypedHandleCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { toServiceError } from '../grpc-status.ts';
import { createServedCallContext } from '../served-call-context.ts';
import { createDescriptorIndex } from './descriptor-index.ts';
import { createHealthService, createHealthState, Health, type HealthState } from './health-service.ts';
import { createReflectionService, createReflectionServiceV1Alpha, ServerReflection, ServerReflectionV1Alpha } from './reflection-service.ts';

/** The tooling implementations, typed loosely enough to dispatch by method kind. */
type ToolingImpl = Record<string, (input: never, context: HandlerContext) => unknown>;

/** A grpc-js call of any kind: its metadata, deadline, cancellation and (streams) writes. */
interface AnyCall {
  readonly request?: unknown;
  readonly metadata: { getMap(): Record<string, unknown> };
  getDeadline(): Date | number;
  on(event: 'cancelled', listener: () => void): unknown;
  write?(message: unknown): boolean;
  end?(): void;
  emit?(event: 'error', error: unknown): boolean;
}

function timeoutOf(call: AnyCall): number | undefined {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) ? at - Date.now() : undefined;
}

/** grpc-js handler for one tooling method (unary, server-streaming or bidi, the kinds these services use). */
function handlerFor(service: DescService, method: DescMethod, impl: ToolingImpl, shutdownSignal: AbortSignal): UntypedHandleCall {
  const fn = impl[method.localName];
  const contextOf = (call: AnyCall): ReturnType<typeof createServedCallContext> => {
    const served = createServedCallContext({ service, method, path: `/${service.typeName}/${method.name}`, timeoutMs: timeoutOf(call), shutdownSignal, requestHeader: new Headers() });
    call.on('cancelled', () => served.abort(new Error('cancelled by the client')));
    return served;
  };
  if (method.methodKind === 'unary') {
    return ((call: AnyCall, callback: (error: unknown, value?: unknown) => void) => {
      const served = contextOf(call);
      Promise.resolve()
        .then(() => fn!(call.request as never, served.context))
        .then(
          (res) => callback(null, res),
          (err: unknown) => callback(toServiceError(err)),
        )
        .finally(() => served.release());
    }) as UntypedHandleCall;
  }
  return ((call: AnyCall & Pick<Readable, 'iterator'>) => {
    const served = contextOf(call);
    // The requests of a bidi call, read without destroying the call when they end (a plain
    // for-await would, and the answers written after it would be lost).
    const input = method.methodKind === 'bidi_streaming' ? call.iterator({ destroyOnReturn: false }) : call.request;
    void (async () => {
      try {
        for await (const res of fn!(input as never, served.context) as AsyncIterable<unknown>) call.write!(res);
        call.end!();
      } catch (err) {
        if (!served.context.signal.aborted) call.emit!('error', toServiceError(err));
      } finally {
        served.release();
      }
    })();
  }) as UntypedHandleCall;
}

function addPlainService(server: Server, service: DescService, impl: ToolingImpl, shutdownSignal: AbortSignal): void {
  const definition: Record<string, ServiceDefinition[string]> = {};
  const handlers: UntypedServiceImplementation = {};
  for (const method of service.methods) {
    // Implementations answer init shapes ({ status }); `create` makes them messages (a message passes as is).
    const encode = (schema: DescMethod['input'], m: unknown): Buffer => Buffer.from(toBinary(schema, create(schema, m as MessageInitShape<typeof schema>)));
    definition[method.name] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: (m: unknown) => encode(method.input, m),
      requestDeserialize: (b: Buffer) => fromBinary(method.input, b),
      responseSerialize: (m: unknown) => encode(method.output, m),
      responseDeserialize: (b: Buffer) => fromBinary(method.output, b),
      originalName: method.localName,
    };
    handlers[method.name] = impl[method.localName]
      ? handlerFor(service, method, impl, shutdownSignal)
      : ((_call: unknown, callback?: (error: unknown) => void) => callback?.({ code: GrpcStatus.UNIMPLEMENTED, details: `${service.typeName}/${method.name} is not implemented` })) as UntypedHandleCall;
  }
  server.addService(definition, handlers);
}

/**
 * Adds `grpc.health.v1.Health` (Check, Watch, List) and server reflection (v1 and v1alpha) to a
 * grpc-js server that serves `services`: reflection lists exactly those plus the tooling services,
 * health knows each by name. Returns the health switch (NOT_SERVING until the caller says SERVING).
 * Open to every caller (probes carry no mesh token); calls end with the server's `shutdownSignal`.
 */
export function addGrpcJsTooling(server: Server, services: readonly DescService[], shutdownSignal: AbortSignal): HealthState {
  const served = [...services, Health, ServerReflection, ServerReflectionV1Alpha];
  const index = createDescriptorIndex(served);
  const health = createHealthState(served.map((s) => s.typeName));
  addPlainService(server, Health, createHealthService(health) as unknown as ToolingImpl, shutdownSignal);
  addPlainService(server, ServerReflection, createReflectionService(index) as unknown as ToolingImpl, shutdownSignal);
  addPlainService(server, ServerReflectionV1Alpha, createReflectionServiceV1Alpha(index) as unknown as ToolingImpl, shutdownSignal);
  return health;
}
